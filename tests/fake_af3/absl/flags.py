"""Stand-in for absl.flags: DEFINE_* return holders whose .value is set when app.run parses argv."""


class Error(Exception):
    pass


class FlagHolder:
    def __init__(self, name, default, kind, parser=None):
        self.name, self.default, self.kind, self.parser = name, default, kind, parser
        self.value = default
        self.present = False


_REGISTRY = {}
_REQUIRED = []


def _define(name, default, kind, parser=None):
    holder = FlagHolder(name, default, kind, parser)
    _REGISTRY[name] = holder
    return holder


def DEFINE_string(name, default, help=None, **kw):
    return _define(name, default, "string")


def DEFINE_integer(name, default, help=None, lower_bound=None, **kw):
    return _define(name, default, "int", int)


def DEFINE_float(name, default, help=None, **kw):
    return _define(name, default, "float", float)


def DEFINE_bool(name, default, help=None, **kw):
    return _define(name, default, "bool")


def DEFINE_list(name, default, help=None, **kw):
    return _define(name, default, "list", lambda v: [x for x in v.split(",") if x])


def DEFINE_enum(name, default, enum_values, help=None, **kw):
    def parse(v):
        if v not in enum_values:
            raise Error(f"flag --{name}={v}: value should be one of <{'|'.join(enum_values)}>")
        return v
    return _define(name, default, "enum", parse)


def mark_flags_as_required(names):
    _REQUIRED.extend(names)


def parse(argv):
    """absl syntax: --flag=value, --flag value, --flag / --noflag for booleans."""
    rest = [argv[0]]
    i = 1
    while i < len(argv):
        arg = argv[i]
        i += 1
        if not arg.startswith("-"):
            rest.append(arg)
            continue
        body = arg.lstrip("-")
        name, eq, value = body.partition("=")
        holder = _REGISTRY.get(name)
        if holder is None and not eq and name.startswith("no") and name[2:] in _REGISTRY:
            holder, value, eq = _REGISTRY[name[2:]], "false", "="
        if holder is None:
            raise Error(f"Unknown command line flag '{name}'")
        if holder.kind == "bool":
            value = value if eq else "true"
            if value.lower() not in ("true", "false", "1", "0"):
                raise Error(f"flag --{name}={value}: invalid boolean")
            holder.value = value.lower() in ("true", "1")
        else:
            if not eq:
                if i >= len(argv):
                    raise Error(f"flag --{name} needs a value")
                value = argv[i]
                i += 1
            holder.value = holder.parser(value) if holder.parser else value
        holder.present = True
    for name in _REQUIRED:
        if _REGISTRY[name].value is None:
            raise Error(f"flag --{name} must have a value other than None.")
    return rest
