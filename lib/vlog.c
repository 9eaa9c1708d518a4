/* Minimal first version: module registry, levels and console output.
 * Destinations, patterns, rate limiting and the unixctl commands are
 * being completed in this file. */
#include "lib/vlog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/timeval.h"

static struct list vlog_modules = LIST_INITIALIZER(&vlog_modules);

static const char *const level_names[VLL_N_LEVELS] = {
    "off", "emer", "err", "warn", "info", "dbg",
};

static const char *const destination_names[VLF_N_DESTINATIONS] = {
    "console", "syslog", "file",
};

const char *
vlog_get_level_name(enum vlog_level level)
{
    return level < VLL_N_LEVELS ? level_names[level] : "?";
}

enum vlog_level
vlog_get_level_val(const char *name)
{
    for (int i = 0; i < VLL_N_LEVELS; i++) {
        if (!strcasecmp(name, level_names[i])) {
            return i;
        }
    }
    return VLL_N_LEVELS;
}

const char *
vlog_get_destination_name(enum vlog_destination dest)
{
    return dest >= 0 && dest < VLF_N_DESTINATIONS ? destination_names[dest]
                                                    : "?";
}

enum vlog_destination
vlog_get_destination_val(const char *name)
{
    for (int i = 0; i < VLF_N_DESTINATIONS; i++) {
        if (!strcasecmp(name, destination_names[i])) {
            return i;
        }
    }
    return !strcasecmp(name, "any") ? VLF_ANY_DESTINATION
                                    : VLF_N_DESTINATIONS;
}

void
vlog_insert_module(struct vlog_module *module)
{
    list_push_back(&vlog_modules, &module->list_node);
}

struct vlog_module *
vlog_module_from_name(const char *name)
{
    struct vlog_module *module;
    LIST_FOR_EACH (module, list_node, &vlog_modules) {
        if (!strcasecmp(name, module->name)) {
            return module;
        }
    }
    return NULL;
}

const char *
vlog_get_module_name(const struct vlog_module *module)
{
    return module->name;
}

bool
vlog_is_enabled(const struct vlog_module *module, enum vlog_level level)
{
    return module->min_level >= level;
}

void
vlog_valist(const struct vlog_module *module, enum vlog_level level,
            const char *format, va_list args)
{
    if (module->levels[VLF_CONSOLE] < level) {
        return;
    }
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_strftime(&s, "%Y-%m-%dT%H:%M:%SZ", time_wall(), true);
    ds_put_format(&s, "|%s|%s|", module->name,
                  vlog_get_level_name(level));
    ds_put_format_valist(&s, format, args);
    fprintf(stderr, "%s\n", ds_cstr(&s));
    ds_destroy(&s);
}

void
vlog(const struct vlog_module *module, enum vlog_level level,
     const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vlog_valist(module, level, format, args);
    va_end(args);
}

bool
vlog_should_drop(const struct vlog_module *module, enum vlog_level level,
                 struct vlog_rate_limit *rl)
{
    return !vlog_is_enabled(module, level);
}

void
vlog_rate_limit(const struct vlog_module *module, enum vlog_level level,
                struct vlog_rate_limit *rl, const char *format, ...)
{
    if (!vlog_should_drop(module, level, rl)) {
        va_list args;
        va_start(args, format);
        vlog_valist(module, level, format, args);
        va_end(args);
    }
}

void
vlog_fatal(const struct vlog_module *module, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vlog_valist(module, VLL_EMER, format, args);
    va_end(args);
    exit(EXIT_FAILURE);
}

void
vlog_abort(const struct vlog_module *module, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vlog_valist(module, VLL_EMER, format, args);
    va_end(args);
    abort();
}

void
vlog_set_verbosity(const char *arg)
{
    struct vlog_module *module;
    LIST_FOR_EACH (module, list_node, &vlog_modules) {
        for (int d = 0; d < VLF_N_DESTINATIONS; d++) {
            module->levels[d] = VLL_DBG;
        }
        module->min_level = VLL_DBG;
    }
}

int vlog_set_log_file(const char *file_name) { return 0; }
void vlog_set_syslog_method(const char *method) { }
int vlog_set_syslog_facility(const char *name) { return 0; }
