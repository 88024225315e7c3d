"""The abstract interpreter behind the policy analyzer (``chalice.build.analyzer``).

``Analyzer`` executes a project's parsed modules without running them: it
walks statements and expressions, binds names to abstract values
(``analyzer_values``: strings, sequences, functions, classes, instances,
boto3 objects) and lets ``analyzer_sdk`` say what a boto3 call returns and
which client method it records. Module code runs first, then every entry
point (``analyzer_decorators``) with unknown arguments, so handlers see the
final globals. Recursion and ever-growing arguments are cut off; a value it
cannot know is ``None``.

It reads ``ast`` trees only: it never imports or executes the user's code.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from typing import Any

from chalice.build.analyzer_decorators import ENTRY_DECORATORS, decorator_name
from chalice.build.analyzer_sdk import SDK_CALLABLES, SDK_VALUES, SdkSemantics
from chalice.build.analyzer_values import (
    Boto3Module,
    BoundMethod,
    Class,
    Collection,
    Function,
    Instance,
    ModuleRef,
    ModuleState,
    Resource,
    Scope,
    Seq,
    Str,
    Union,
    join,
    mro,
    options,
)
from chalice.build.boto3_models import ResourceModels

Calls = dict[str, set[str]]

# Modules whose clients we follow: boto3, its session module, aioboto3 (same
# API, async), and plain botocore (``get_session().create_client(...)``).
_SDK_MODULES: Mapping[str, str] = {
    "boto3": "",
    "boto3.session": "session",
    "aioboto3": "",
    "aioboto3.session": "session",
    "botocore": "botocore",
    "botocore.session": "botocore.session",
}
_MAX_REENTRY = 3


class Analyzer:
    """Runs the abstract interpreter over a set of parsed modules."""

    def __init__(self, modules: Mapping[str, ModuleState], resources: ResourceModels) -> None:
        self.modules = modules
        self.resources = resources
        self.sdk = SdkSemantics(resources, self.record)
        self.calls: Calls = {}
        self.attr_store: dict[str, Any] = {}
        self.entry_points: list[Function] = []
        self.memo: dict[tuple[Any, ...], Any] = {}
        self.active: set[tuple[Any, ...]] = set()
        self.depth: dict[int, int] = {}
        self.instantiated: set[int] = set()

    # -- driving -------------------------------------------------------------

    def run(self, first: str) -> Calls:
        if first in self.modules:
            self.exec_module(first)
        for name in sorted(self.modules):
            self.exec_module(name)
        # Calls made while modules were still executing may have seen
        # globals that were bound later; entry points see the final state.
        self.memo.clear()
        done: set[int] = set()
        while len(done) < len(self.entry_points):
            for func in list(self.entry_points):
                if id(func) not in done:
                    done.add(id(func))
                    self.call_function(func, [], {})
        return self.calls

    def record(self, service: str, method: str) -> None:
        self.calls.setdefault(service, set()).add(method)

    def exec_module(self, name: str) -> ModuleState | None:
        state = self.modules.get(name)
        if state is None:
            return None
        if not state.started:
            state.started = True
            parent = name.rpartition(".")[0]
            if parent:
                self.exec_module(parent)
            self.exec_block(state.tree.body, state.scope)
        return state

    # -- statements ----------------------------------------------------------

    def exec_block(self, body: Iterable[ast.stmt], scope: Scope) -> None:
        for stmt in body:
            self.exec_stmt(stmt, scope)

    def exec_stmt(self, stmt: ast.stmt, scope: Scope) -> None:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.define_function(stmt, scope)
        elif isinstance(stmt, ast.ClassDef):
            self.define_class(stmt, scope)
        elif isinstance(stmt, ast.Assign):
            value = self.eval(stmt.value, scope)
            for target in stmt.targets:
                self.bind(target, value, scope)
        elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
            if stmt.value is not None:
                value = self.eval(stmt.value, scope)
                if isinstance(stmt, ast.AnnAssign):
                    self.bind(stmt.target, value, scope)
        elif isinstance(stmt, ast.Return):
            if stmt.value is not None:
                scope.returns.append(self.eval(stmt.value, scope))
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            self.bind(stmt.target, self.element_of(self.eval(stmt.iter, scope)), scope)
            self.exec_block(stmt.body, scope)
            self.exec_block(stmt.orelse, scope)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                value = self.eval(item.context_expr, scope)
                if item.optional_vars is not None:
                    self.bind(item.optional_vars, value, scope)
            self.exec_block(stmt.body, scope)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            self.exec_import(stmt, scope)
        elif isinstance(stmt, ast.Global):
            scope.global_names.update(stmt.names)
        elif isinstance(stmt, ast.Nonlocal):
            scope.nonlocal_names.update(stmt.names)
        elif isinstance(stmt, ast.Match):
            self.eval(stmt.subject, scope)
            for case in stmt.cases:
                self.exec_block(case.body, scope)
        else:
            # if/while/try/expression statements/...: evaluate every
            # expression, run every nested block, in source order.
            for child in ast.iter_child_nodes(stmt):
                if isinstance(child, ast.expr):
                    self.eval(child, scope)
                elif isinstance(child, ast.stmt):
                    self.exec_stmt(child, scope)
                elif isinstance(child, ast.ExceptHandler):
                    if child.type is not None:
                        self.eval(child.type, scope)
                    self.exec_block(child.body, scope)

    def define_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope) -> None:
        func = Function(node, scope, self.eval_defaults(node.args, scope))
        is_entry = False
        for deco in node.decorator_list:
            self.eval(deco, scope)
            if decorator_name(deco) in ENTRY_DECORATORS:
                is_entry = True
        if is_entry:
            self.entry_points.append(func)
        # Unknown decorators (lru_cache, wraps...) are assumed to keep the
        # function callable as before, so the name stays bound to it.
        scope.assign(node.name, func)

    def eval_defaults(self, args: ast.arguments, scope: Scope) -> dict[str, Any]:
        defaults: dict[str, Any] = {}
        positional = [*args.posonlyargs, *args.args]
        for arg, default in zip(
            positional[len(positional) - len(args.defaults) :], args.defaults, strict=True
        ):
            defaults[arg.arg] = self.eval(default, scope)
        for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
            if kw_default is not None:
                defaults[arg.arg] = self.eval(kw_default, scope)
        return defaults

    def define_class(self, node: ast.ClassDef, scope: Scope) -> None:
        cls = Class(node.name, [self.eval(b, scope) for b in node.bases])
        for deco in node.decorator_list:
            self.eval(deco, scope)
        body_scope = Scope(scope.module, scope)
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                # Methods close over the enclosing scope, not the class body.
                self.define_function(stmt, scope)
                cls.attrs[stmt.name] = scope.vars.pop(stmt.name, None)
            else:
                self.exec_stmt(stmt, body_scope)
        for name, value in body_scope.vars.items():
            cls.attrs.setdefault(name, value)
            if value is not None:
                self.attr_store[name] = join(self.attr_store.get(name), value)
        scope.assign(node.name, cls)

    def bind(self, target: ast.expr, value: Any, scope: Scope) -> None:
        if isinstance(target, ast.Name):
            scope.assign(target.id, value)
        elif isinstance(target, ast.Attribute):
            self.eval(target.value, scope)
            if value is not None:
                self.attr_store[target.attr] = join(self.attr_store.get(target.attr), value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for i, elt in enumerate(target.elts):
                if isinstance(elt, ast.Starred):
                    self.bind(elt.value, None, scope)
                elif isinstance(value, Seq) and len(value.items) == len(target.elts):
                    self.bind(elt, value.items[i], scope)
                else:
                    self.bind(elt, self.element_of(value), scope)
        elif isinstance(target, ast.Subscript):
            self.eval(target.slice, scope)
            if isinstance(target.value, ast.Name) and value is not None:
                # ``clients["s3"] = boto3.client("s3")``: the container holds it.
                old = scope.lookup(target.value.id)
                items = old.items if isinstance(old, Seq) else ()
                scope.assign(target.value.id, Seq((*items, value)))
        elif isinstance(target, ast.Starred):
            self.bind(target.value, None, scope)

    def exec_import(self, stmt: ast.Import | ast.ImportFrom, scope: Scope) -> None:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname is not None:
                    scope.assign(alias.asname, self.import_module(alias.name))
                else:
                    top = alias.name.partition(".")[0]
                    self.import_module(alias.name)
                    scope.assign(top, self.import_module(top))
            return
        base = self.resolve_relative(stmt, scope.module)
        module_value = self.import_module(base) if base else None
        for alias in stmt.names:
            if alias.name == "*":
                state = self.modules.get(base or "")
                if state is not None:
                    for k, v in state.scope.vars.items():
                        scope.assign(k, v)
                continue
            sub = f"{base}.{alias.name}"
            value = (
                self.import_module(sub)
                if sub in self.modules
                else self.attribute(module_value, alias.name)
            )
            scope.assign(alias.asname or alias.name, value)

    def resolve_relative(self, stmt: ast.ImportFrom, module: ModuleState) -> str | None:
        if not stmt.level:
            return stmt.module
        parts = module.name.split(".")
        if not module.is_package:
            parts = parts[:-1]
        parts = parts[: len(parts) - (stmt.level - 1)] if stmt.level > 1 else parts
        if stmt.module:
            parts.append(stmt.module)
        return ".".join(parts) or None

    def import_module(self, name: str) -> Any:
        sdk = _SDK_MODULES.get(name)
        if sdk is not None:
            return Boto3Module(sdk)
        if name in self.modules:
            self.exec_module(name)
            return ModuleRef(name)
        return None

    # -- expressions ---------------------------------------------------------

    def eval(self, node: ast.expr, scope: Scope) -> Any:
        if isinstance(node, ast.Constant):
            return Str(node.value) if isinstance(node.value, str) else None
        if isinstance(node, ast.Name):
            return scope.lookup(node.id)
        if isinstance(node, ast.Attribute):
            return self.attribute(self.eval(node.value, scope), node.attr, called=False)
        if isinstance(node, ast.Call):
            return self.eval_call(node, scope)
        if isinstance(node, ast.Await):
            return self.eval(node.value, scope)
        if isinstance(node, ast.NamedExpr):
            value = self.eval(node.value, scope)
            self.bind(node.target, value, scope)
            return value
        if isinstance(node, ast.IfExp):
            self.eval(node.test, scope)
            return join(self.eval(node.body, scope), self.eval(node.orelse, scope))
        if isinstance(node, ast.BoolOp):
            return join(*(self.eval(v, scope) for v in node.values))
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return Seq(tuple(self.eval(e, scope) for e in node.elts))
        if isinstance(node, ast.Dict):
            for key in node.keys:
                if key is not None:
                    self.eval(key, scope)
            return Seq(tuple(self.eval(v, scope) for v in node.values))
        if isinstance(node, ast.Subscript):
            container = self.eval(node.value, scope)
            self.eval(node.slice, scope)
            return self.element_of(container) if isinstance(container, (Seq, Union)) else None
        if isinstance(node, ast.Lambda):
            return Function(node, scope, self.eval_defaults(node.args, scope))
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            return self.eval_comprehension(node, scope)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.eval(child, scope)
        return None

    def eval_comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp, scope: Scope
    ) -> Any:
        inner = Scope(scope.module, scope)
        for gen in node.generators:
            self.bind(gen.target, self.element_of(self.eval(gen.iter, inner)), inner)
            for cond in gen.ifs:
                self.eval(cond, inner)
        if isinstance(node, ast.DictComp):
            self.eval(node.key, inner)
            return Seq((self.eval(node.value, inner),))
        return Seq((self.eval(node.elt, inner),))

    def element_of(self, value: Any) -> Any:
        out: list[Any] = []
        for option in options(value):
            if isinstance(option, Seq):
                out.extend(option.items)
            elif isinstance(option, Collection):
                out.append(Resource(option.service, option.rtype))
        return join(*out)

    def eval_call(self, node: ast.Call, scope: Scope) -> Any:
        if isinstance(node.func, ast.Attribute):
            callee = self.attribute(self.eval(node.func.value, scope), node.func.attr, called=True)
        else:
            callee = self.eval(node.func, scope)
        args: list[Any] = []
        for arg in node.args:
            value = self.eval(arg.value if isinstance(arg, ast.Starred) else arg, scope)
            args.append(None if isinstance(arg, ast.Starred) else value)
        kwargs: dict[str, Any] = {}
        for kw in node.keywords:
            value = self.eval(kw.value, scope)
            if kw.arg is not None:
                kwargs[kw.arg] = value
        if callee is None and isinstance(node.func, ast.Name) and node.func.id == "getattr":
            if len(args) >= 2 and isinstance(args[1], Str):
                return self.attribute(args[0], args[1].value, called=False)
        results = [self.call(option, args, kwargs) for option in options(callee)]
        if callee is None:
            # A callable we cannot see into (executor.submit, map, a
            # framework hook) may call the functions it is given.
            for value in [*args, *kwargs.values()]:
                for option in options(value):
                    if isinstance(option, (Function, BoundMethod)):
                        self.call(option, [], {})
        return join(*results)

    def call(self, callee: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if isinstance(callee, SDK_CALLABLES):
            return self.sdk.call(callee, args, kwargs)
        if isinstance(callee, Function):
            return self.call_function(callee, args, kwargs)
        if isinstance(callee, BoundMethod):
            return self.call_function(callee.func, [callee.self_value, *args], kwargs)
        if isinstance(callee, Class):
            return self.instantiate(callee, args, kwargs)
        return None

    def call_function(self, func: Function, args: list[Any], kwargs: dict[str, Any]) -> Any:
        key: tuple[Any, ...] = (
            id(func),
            tuple(args),
            tuple(sorted(kwargs.items(), key=lambda kv: kv[0])),
        )
        try:
            hash(key)
        except TypeError:
            key = (id(func),)
        if key in self.memo:
            return self.memo[key]
        # Recursion: the same call in progress, or a function re-entered with
        # ever-growing arguments (``f([x])`` calling ``f([[x]])``...).
        if key in self.active or self.depth.get(id(func), 0) >= _MAX_REENTRY:
            return None
        self.active.add(key)
        self.depth[id(func)] = self.depth.get(id(func), 0) + 1
        try:
            scope = Scope(func.scope.module, func.scope)
            self.bind_params(func, args, kwargs, scope)
            if isinstance(func.node, ast.Lambda):
                result = self.eval(func.node.body, scope)
            else:
                for stmt in ast.walk(func.node):
                    if isinstance(stmt, ast.Global):
                        scope.global_names.update(stmt.names)
                    elif isinstance(stmt, ast.Nonlocal):
                        scope.nonlocal_names.update(stmt.names)
                self.exec_block(func.node.body, scope)
                result = join(*scope.returns)
        finally:
            self.active.discard(key)
            self.depth[id(func)] -= 1
        self.memo[key] = result
        return result

    def bind_params(
        self, func: Function, args: list[Any], kwargs: dict[str, Any], scope: Scope
    ) -> None:
        spec = func.node.args
        positional = [*spec.posonlyargs, *spec.args]
        for i, param in enumerate(positional):
            if i < len(args):
                value = args[i]
            else:
                value = kwargs.get(param.arg, func.defaults.get(param.arg))
            scope.vars[param.arg] = value
        for param in spec.kwonlyargs:
            scope.vars[param.arg] = kwargs.get(param.arg, func.defaults.get(param.arg))
        if spec.vararg is not None:
            scope.vars[spec.vararg.arg] = Seq(tuple(args[len(positional) :]))
        if spec.kwarg is not None:
            known = {p.arg for p in positional} | {p.arg for p in spec.kwonlyargs}
            scope.vars[spec.kwarg.arg] = Seq(tuple(v for k, v in kwargs.items() if k not in known))

    def instantiate(self, cls: Class, args: list[Any], kwargs: dict[str, Any]) -> Any:
        instance = Instance(cls)
        init = cls.lookup("__init__")
        if isinstance(init, Function):
            self.call_function(init, [instance, *args], kwargs)
        if id(cls) not in self.instantiated:
            self.instantiated.add(id(cls))
            # Every method may be called on the object somewhere we cannot
            # follow; analyze each once with unknown arguments.
            for klass in mro(cls):
                for name, value in list(klass.attrs.items()):
                    if isinstance(value, Function) and name != "__init__":
                        self.call_function(value, [instance], {})
        return instance

    # -- attributes ----------------------------------------------------------

    def attribute(self, base: Any, name: str, *, called: bool = False) -> Any:
        out = [self._attribute(option, name, called) for option in options(base)]
        if base is None or all(v is None for v in out):
            out.append(self.attr_store.get(name))
        return join(*out)

    def _attribute(self, base: Any, name: str, called: bool) -> Any:
        if isinstance(base, SDK_VALUES):
            return self.sdk.attribute(base, name, called)
        if isinstance(base, ModuleRef):
            sub = f"{base.name}.{name}"
            if sub in self.modules:
                return self.import_module(sub)
            state = self.exec_module(base.name)
            return state.scope.vars.get(name) if state is not None else None
        if isinstance(base, Instance):
            value = base.cls.lookup(name)
            if isinstance(value, Function):
                return BoundMethod(value, base)
            return value
        if isinstance(base, Class):
            return base.lookup(name)
        return None
