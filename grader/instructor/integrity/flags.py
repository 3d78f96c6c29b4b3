"""Flags read from a submission's AST (never by running it), each quoting its lines.

Four kinds, each a fact for a reviewer, never a penalty:

* ``finite_differences``: a ``backward`` (or a helper it calls) calls a ``forward`` (any
  receiver: ``self.forward``, ``SomeOp().forward``), or adds a small step (`SMALL_STEP`: a
  literal, or a name bound to one) to something read from ``self`` and divides by a step
  (``h``, ``2 * h``): ``(f(x + h) - f(x - h)) / (2 * h)`` written inline, or in a helper that
  takes the step as a parameter. A stability epsilon is added but is never the divisor itself
  (``g / (s + 1e-12)``), so it is not flagged;
* ``autograd``: imports an automatic-differentiation library (`AUTOGRAD`), by ``import``,
  ``from ... import``, or ``__import__`` / ``importlib.import_module`` with a literal name;
* ``files_or_environment``: opens, reads, lists or writes files (``open``, pathlib's
  ``read_text``..., numpy's ``load``..., `FILE_CALLS`) or reads the environment
  (``os.environ``, ``os.getenv``);
* ``network``: imports or uses a networking module (`NETWORK`).

Names are resolved through the submission's own imports and aliases (``import os as o``,
``from os import environ as e``, ``sys_ = __import__("sys")``), so a renamed module is still
the module. A name computed at run time (``__import__("to" + "rch")``) cannot be read from the
source; it is not guessed at.
"""

import ast
import textwrap
from dataclasses import dataclass

from ...i18n import _
from .bodies import backward_functions

AUTOGRAD = {"torch", "jax", "jaxlib", "autograd", "tensorflow", "keras", "mxnet", "chainer", "theano",
            "paddle", "tinygrad", "mlx"}
NETWORK = {"socket", "ssl", "urllib", "urllib3", "http", "requests", "httpx", "aiohttp", "ftplib",
           "smtplib", "poplib", "imaplib", "telnetlib", "xmlrpc", "websocket", "websockets", "paramiko",
           "asyncio.open_connection", "asyncio.start_server"}
FILE_CALLS = {"open", "io.open", "os.open", "codecs.open", "os.listdir", "os.scandir", "os.walk",
              "os.remove", "os.unlink", "os.rename", "os.replace", "os.mkdir", "os.makedirs", "os.chdir",
              "os.fdopen", "glob", "shutil", "tempfile", "pickle.load", "pickle.loads", "marshal.load",
              "numpy.load", "numpy.loadtxt", "numpy.genfromtxt", "numpy.fromfile", "numpy.memmap",
              "numpy.save", "numpy.savez", "numpy.savetxt", "numpy.lib.format.open_memmap"}
FILE_METHODS = {"read_text", "read_bytes", "write_text", "write_bytes", "iterdir", "rglob", "tofile"}
ENVIRONMENT = {"os.environ", "os.environb", "os.getenv", "os.getenvb", "os.putenv", "os.unsetenv",
               "posix.environ", "nt.environ"}
IMPORTERS = {"__import__", "builtins.__import__", "importlib.import_module", "importlib.__import__"}
SMALL_STEP = 1e-2  # the largest |h| of a finite-difference step (stability epsilons are never divisors)


@dataclass(frozen=True)
class Flag:
    kind: str       # finite_differences, autograd, files_or_environment, network
    what: str       # one phrase: "calls forward", "imports torch", "reads os.environ"
    where: str      # the unit: "ops.py", "cell 3"
    line: int       # first line quoted
    quote: str      # the lines, as written
    op: str = ""    # the op whose backward does it ("" when it is not inside one)


def _within(name: str, prefixes) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


class _Names:
    """Dotted names as the submission's imports make them: ``o.environ`` is ``os.environ``."""

    def __init__(self, units):
        self.alias = {}
        for unit in units:
            for node in ast.walk(unit.tree) if unit.tree else ():
                if isinstance(node, ast.Import):
                    for name in node.names:
                        self.alias[name.asname or name.name.split(".")[0]] = name.name if name.asname else name.name.split(".")[0]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    for name in node.names:
                        self.alias[name.asname or name.name] = f"{node.module}.{name.name}"
        for unit in units:  # module = __import__("literal") is an import too
            for node in ast.walk(unit.tree) if unit.tree else ():
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    module = self.imported(node.value)
                    if module:
                        self.alias[node.targets[0].id] = module

    def dotted(self, node) -> str:
        if isinstance(node, ast.Name):
            return self.alias.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            base = self.dotted(node.value)
            return f"{base}.{node.attr}" if base else ""
        if isinstance(node, ast.Call):
            module = self.imported(node)
            return module or ""
        return ""

    def imported(self, node) -> str:
        """The module named by ``__import__("x")`` / ``importlib.import_module("x")``, or ""."""
        if (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str) and self.dotted(node.func) in IMPORTERS):
            return node.args[0].value
        return ""


def _quote(unit, node) -> tuple:
    """(first line, the node's lines dedented, at most three)."""
    last = min(node.end_lineno or node.lineno, node.lineno + 2)
    return node.lineno, textwrap.dedent("\n".join(unit.line(number) for number in range(node.lineno, last + 1)))


def _module_flags(units, names: _Names) -> list:
    """(kind, what, unit, node) for imports and uses of the flagged modules and calls."""
    found = []
    for unit in units:
        for node in ast.walk(unit.tree) if unit.tree else ():
            modules = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules = [f"{node.module}.{alias.name}" for alias in node.names] or [node.module]
            elif isinstance(node, ast.Call) and names.imported(node):
                modules = [names.imported(node)]
            for module in modules:
                if _within(module, AUTOGRAD):
                    found.append(("autograd", _("imports {module}").format(module=module), unit, node))
                elif _within(module, NETWORK):
                    found.append(("network", _("imports {module}").format(module=module), unit, node))
                elif _within(module, ENVIRONMENT) or _within(module, FILE_CALLS - {"open"}):
                    found.append(("files_or_environment", _("imports {module}").format(module=module), unit, node))
            if isinstance(node, ast.Call):
                name = names.dotted(node.func)
                method = node.func.attr if isinstance(node.func, ast.Attribute) else ""
                if name and (_within(name, FILE_CALLS) or name == "builtins.open"):
                    found.append(("files_or_environment", _("calls {name}").format(name=name), unit, node))
                elif method in FILE_METHODS:
                    found.append(("files_or_environment", _("calls .{method}()").format(method=method), unit, node))
                elif name and _within(name, NETWORK):
                    found.append(("network", _("calls {name}").format(name=name), unit, node))
            if isinstance(node, (ast.Attribute, ast.Name)) and isinstance(node.ctx, ast.Load):
                name = names.dotted(node)
                if name in ENVIRONMENT:
                    found.append(("files_or_environment", _("reads {name}").format(name=name), unit, node))
    return found


def _small(node, steps: set) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return _small(node.operand, steps)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return 0 < abs(node.value) <= SMALL_STEP
    return isinstance(node, ast.Name) and node.id in steps


def _step(node, steps: set) -> bool:
    """A divisor that is a step: ``h``, ``1e-5``, ``2 * h``, ``h * 2.0`` (not ``s + 1e-12``)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        number = (ast.Constant,)
        return (_small(node.left, steps) and isinstance(node.right, number)) or \
            (_small(node.right, steps) and isinstance(node.left, number))
    return _small(node, steps)


def _step_names(units) -> set:
    """Names bound anywhere to a small constant (``h = 1e-5``, ``eps = 1e-6``)."""
    steps = set()
    for unit in units:
        for node in ast.walk(unit.tree) if unit.tree else ():
            if isinstance(node, ast.Assign) and _small(node.value, set()):
                steps |= {target.id for target in node.targets if isinstance(target, ast.Name)}
    return steps


def _input_names(function) -> set:
    """Local names bound to something computed from ``self``'s cache (``x = self.x.copy()``)."""
    names = set()
    for _round in range(3):  # bindings of bindings
        for node in ast.walk(function):
            if isinstance(node, ast.Assign) and _reads_input(node.value, names):
                for target in node.targets:
                    names |= {leaf.id for leaf in ast.walk(target) if isinstance(leaf, ast.Name)}
    return names


def _reads_input(node, names: set) -> bool:
    return any((isinstance(leaf, ast.Attribute) and isinstance(leaf.value, ast.Name) and leaf.value.id == "self")
               or (isinstance(leaf, ast.Name) and leaf.id in names) for leaf in ast.walk(node))


def _finite_differences(function, steps: set) -> list:
    """(what, node) where `function` calls a forward or steps an input and divides by a step."""
    found = [(_("calls forward"), node) for node in ast.walk(function)
             if isinstance(node, ast.Call) and ((isinstance(node.func, ast.Attribute) and node.func.attr == "forward")
                                                or (isinstance(node.func, ast.Name) and node.func.id == "forward"))]
    # A helper's parameters are what it was given: its inputs, and its step if it divides by one
    # (``def numeric(f, x, h): return (f(x + h) - f(x - h)) / (2 * h)``).
    parameters = {argument.arg for argument in function.args.args + function.args.kwonlyargs} - {"self"}
    divisions = [node.right for node in ast.walk(function) if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div)]
    steps = steps | {name for name in parameters if any(_step(right, {name}) for right in divisions)}
    inputs = _input_names(function) | parameters
    divides = any(isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and _step(node.right, steps)
                  for node in ast.walk(function))
    if divides:
        for node in ast.walk(function):
            if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
                if (_small(node.right, steps) and _reads_input(node.left, inputs)) or \
                        (_small(node.left, steps) and _reads_input(node.right, inputs)):
                    found.append((_("adds a small step to an input and divides by a step"), node))
            elif isinstance(node, ast.AugAssign) and isinstance(node.op, (ast.Add, ast.Sub)):
                if _small(node.value, steps) and _reads_input(node.target, inputs):
                    found.append((_("adds a small step to an input and divides by a step"), node))
    return found


def find_flags(units) -> list:
    """Every Flag of a submission's units, in a deterministic order (where, line, kind)."""
    parsed = [unit for unit in units if unit.tree is not None]
    names, steps = _Names(parsed), _step_names(parsed)
    chains = backward_functions(parsed)
    owner = {}  # id of every node inside a backward or its helpers -> that op (the first op that calls it)
    for op, chain in chains.items():
        for _unit, function in chain:
            for node in ast.walk(function):
                owner.setdefault(id(node), op)
    flags = set()
    for kind, what, unit, node in _module_flags(parsed, names):
        flags.add(Flag(kind, what, unit.where, *_quote(unit, node), op=owner.get(id(node), "")))
    for op, chain in chains.items():
        for unit, function in chain:
            for what, node in _finite_differences(function, steps):
                flags.add(Flag("finite_differences", what, unit.where, *_quote(unit, node), op=op))
    order = {unit.where: number for number, unit in enumerate(units)}
    return sorted(flags, key=lambda flag: (order.get(flag.where, 0), flag.line, flag.kind, flag.what, flag.op))
