extension Checker {
    func checkCall(_ callee: Identifier, _ arguments: [Expr], _ r: SourceRange) -> TypedExpr {
        if let builtin = NameTables.builtins[callee.name] {
            switch builtin {
            case .aggregate(let aggregate):
                if (aggregate == .min || aggregate == .max) && arguments.count >= 2 {
                    let first = check(arguments[0])
                    if first.type.isError { return poisoned(r) }
                    if first.type.elementType == nil {
                        return checkMinMax(aggregate == .min, coerced(first), Array(arguments.dropFirst()), r)
                    }
                    return checkAggregate(aggregate, first, arguments, r)
                }
                guard arguments.count == 1 || arguments.count == 2 else { return aggregateArity(callee, arguments.count, r) }
                let collection = check(arguments[0])
                if collection.type.isError { return poisoned(r) }
                return checkAggregate(aggregate, collection, arguments, r)
            case .scalar(let scalar):
                return checkScalar(scalar, callee, arguments.map { coerced(check($0)) }, arguments, r)
            }
        }
        guard let function = hostFunctions[callee.name] else {
            reportUnknownFunction(callee)
            _ = arguments.map(check)
            return poisoned(r)
        }
        return typeHostCall(function, callee, arguments, arguments.map(check), r)
    }

    @inline(never)
    private func aggregateArity(_ callee: Identifier, _ count: Int, _ r: SourceRange) -> TypedExpr {
        error(.noMatchingOverload, "`\(callee.name)` takes a list and an optional per-element expression, found \(count) arguments",
              at: r, help: Builtins.docs[callee.name])
        return poisoned(r)
    }

    @inline(never)
    private func reportUnknownFunction(_ callee: Identifier) {
        guard canReportErrors else { return }
        var help = Suggestions.didYouMean(callee.name, in: Array(vocabulary.functions.keys) + Array(Builtins.all.keys))
        if help == nil, hostNames[callee.name] != nil || definitionIndex[callee.name] != nil {
            help = "`\(callee.name)` is a value, not a function"
        }
        error(.unknownFunction, "unknown function `\(callee.name)`", at: callee.range, help: help)
    }

    /// Resolves a host function's overload for checked arguments.
    @inline(never)
    private func typeHostCall(_ function: HostFunction, _ callee: Identifier, _ arguments: [Expr],
                              _ checkedArguments: [TypedExpr], _ r: SourceRange) -> TypedExpr {
        var typed = checkedArguments
        if typed.contains(where: { $0.type.isError }) { return poisoned(r) }
        let paths = arguments.map(telemetryPath)
        if constContext != nil, let constName = constContext, !function.overloads.contains(where: \.isPure) {
            error(.constNotConstant, "const `\(constName)` cannot call `\(callee.name)`, which depends on live state", at: r)
            return poisoned(r)
        }
        for overload in function.overloads where overload.parameters.count == typed.count {
            var bindings = PatternBindings()
            var optional = false
            var ok = true
            var actual = typed
            for (i, pattern) in overload.parameters.enumerated() {
                if isPathPattern(pattern) {
                    // The function gets the path's text; its dimension types the result.
                    guard let path = paths[i], match(typed[i].type.unwrapped, pattern, &bindings) else { ok = false; break }
                    actual[i] = TypedExpr(.constant(.string(path)), .string, typed[i].range)
                    continue
                }
                var argument = typed[i]
                var argumentType = isOptionalPattern(pattern) ? argument.type : argument.type.unwrapped
                if !match(argumentType, pattern, &bindings) {
                    argument = coerced(argument)
                    argumentType = isOptionalPattern(pattern) ? argument.type : argument.type.unwrapped
                    if !match(argumentType, pattern, &bindings) { ok = false; break }
                    actual[i] = argument
                }
                if argument.type.isOptional, !isOptionalPattern(pattern) { optional = true }
            }
            guard ok, let result = instantiate(overload.result, bindings) else { continue }
            typed = actual
            for (index, allowed) in overload.allowedValues where index < typed.count {
                checkAllowed(typed[index], allowed, what: overload.parameterNames[index])
            }
            for (index, bounds) in overload.bounds.sorted(by: { $0.key < $1.key }) where index < typed.count {
                if !checkBounds(typed[index], bounds, function: callee.name, what: overload.parameterNames[index]) { return poisoned(r) }
            }
            return TypedExpr(.hostCall(name: callee.name, overload: overload, typed), result.optional(if: optional), r)
        }
        for (i, argument) in arguments.enumerated() where paths[i] == nil
            && function.overloads.contains(where: { $0.parameters.count == arguments.count && isPathPattern($0.parameters[i]) }) {
            error(.typeMismatch, "`\(callee.name)` needs a telemetry path such as `site.power` here, found `\(currentSource?.excerpt(argument.range) ?? "")`",
                  at: argument.range, help: "write the field itself (e.g. `grid.carbon_intensity`), not a computed value")
            return poisoned(r)
        }
        let signatures = function.overloads.map { o in
            "\(callee.name)(" + zip(o.parameterNames, o.parameters).map { "\($0): \(describePattern($1))" }.joined(separator: ", ") + ")"
        }
        error(.noMatchingOverload,
              "no form of `\(callee.name)` takes (\(typed.map { describe($0) }.joined(separator: ", ")))",
              at: r, help: "expected " + signatures.joined(separator: " or "))
        return poisoned(r)
    }

    private func checkAggregate(_ aggregate: Builtins.Aggregate, _ collection: __owned TypedExpr, _ arguments: [Expr],
                                _ r: SourceRange) -> TypedExpr {
        guard let elementType = collection.type.elementType else {
            return notACollection("`\(aggregate.rawValue)` needs a list", collection, arguments[0].range, r,
                                  help: Builtins.docs[aggregate.rawValue])
        }
        var perElement: TypedExpr?
        var depth = 0
        if arguments.count == 2 {
            let (e, d) = withElementScope(elementType) { d in (check(arguments[1]), d) }
            perElement = e
            depth = d
        }
        return typeAggregate(aggregate, collection, elementType, perElement, depth, arguments, r)
    }

    @inline(never)
    private func typeAggregate(_ aggregate: Builtins.Aggregate, _ collection: __owned TypedExpr, _ elementType: WattType,
                               _ perElement: __owned TypedExpr?, _ depth: Int, _ arguments: [Expr], _ r: SourceRange) -> TypedExpr {
        let name = aggregate.rawValue
        var valueType = elementType
        var valueUnit = collection.displayUnit
        if let e = perElement {
            if e.type.isError { return poisoned(r) }
            valueType = e.type
            valueUnit = e.displayUnit
        }
        let missingPossible = valueType.isOptional || collection.type.isOptional
        switch aggregate {
        case .count:
            if let p = perElement, p.type.unwrapped != .bool {
                error(.conditionNotBool, "`count(C, P)` needs a bool condition, found \(describe(p))", at: arguments[1].range)
                return poisoned(r)
            }
            return TypedExpr(.aggregate(.count, collection, perElement: perElement, depth: depth),
                             WattType.number.optional(if: missingPossible), r)
        case .any, .all:
            guard valueType.unwrapped == .bool || valueType.unwrapped == .error else {
                let what = perElement == nil ? "a list of bools" : "a bool condition"
                error(.typeMismatch, "`\(name)` needs \(what), found \(perElement.map(describe) ?? collection.type.description)",
                      at: arguments.last!.range, help: "write `\(name)(C, CONDITION)` to test each element")
                return poisoned(r)
            }
            return TypedExpr(.aggregate(aggregate, collection, perElement: perElement, depth: depth),
                             WattType.bool.optional(if: missingPossible), r)
        case .sum, .avg, .min, .max:
            let unwrapped = valueType.unwrapped
            let ok: Bool
            if case .quantity = unwrapped { ok = true } else { ok = unwrapped == .instant && aggregate != .sum && aggregate != .avg }
            guard ok else {
                error(.typeMismatch, "`\(name)` needs quantities, found \(perElement.map(describe) ?? "list of \(elementType.description)")",
                      at: arguments.last!.range, help: "pass a per-element value: `\(name)(C, field)` or `\(name)(C.field)`")
                return poisoned(r)
            }
            // An empty collection has no average, minimum or maximum: those may be missing.
            let mayBeEmpty = aggregate != .sum
            return TypedExpr(.aggregate(aggregate, collection, perElement: perElement, depth: depth),
                             unwrapped.optional(if: missingPossible || mayBeEmpty), r, displayUnit: valueUnit)
        }
    }

    private func checkMinMax(_ isMin: Bool, _ first: __owned TypedExpr, _ rest: [Expr], _ r: SourceRange) -> TypedExpr {
        var typed = [first]
        for argument in rest {
            let e = coerced(check(argument))
            if e.type.isError { return poisoned(r) }
            typed.append(e)
        }
        return typeMinMax(isMin, typed, r)
    }

    @inline(never)
    private func typeMinMax(_ isMin: Bool, _ arguments: __owned [TypedExpr], _ r: SourceRange) -> TypedExpr {
        guard let typed = unifyTemperatures(arguments) else { return poisoned(r) }
        let first = typed[0]
        let type = first.type.unwrapped
        guard type.dimension != nil || type == .instant else {
            error(.typeMismatch, "`\(isMin ? "min" : "max")` needs quantities, found \(describe(first))", at: first.range)
            return poisoned(r)
        }
        for e in typed.dropFirst() where e.type.unwrapped != type {
            error(.dimensionMismatch, "cannot compare \(describe(first)) with \(describe(e))", at: e.range,
                  labels: labelsFor(first, e))
            return poisoned(r)
        }
        return TypedExpr(.minMax(isMin: isMin, typed), type.optional(if: typed.contains { $0.type.isOptional }), r,
                         displayUnit: first.displayUnit)
    }

    @inline(never)
    private func checkScalar(_ scalar: Builtins.Scalar, _ callee: Identifier, _ args: [TypedExpr], _ exprs: [Expr],
                             _ r: SourceRange) -> TypedExpr {
        if args.contains(where: { $0.type.isError }) { return poisoned(r) }
        let optional = args.contains { $0.type.isOptional }
        func arity(_ n: Int) -> Bool {
            if args.count == n { return true }
            error(.noMatchingOverload, "`\(callee.name)` takes \(n) argument\(n == 1 ? "" : "s"), found \(args.count)", at: r,
                  help: Builtins.docs[callee.name])
            return false
        }
        func want(_ i: Int, _ ok: Bool, _ what: String) -> Bool {
            if ok { return true }
            error(.typeMismatch, "`\(callee.name)` needs \(what), found \(describe(args[i]))", at: exprs[i].range,
                  help: Builtins.docs[callee.name])
            return false
        }
        switch scalar {
        case .present:
            guard arity(1) else { return poisoned(r) }
            return TypedExpr(.scalar(.present, args), .bool, r)
        case .abs:
            guard arity(1), want(0, args[0].type.dimension != nil, "a quantity") else { return poisoned(r) }
            return TypedExpr(.scalar(.abs, args), args[0].type, r, displayUnit: args[0].displayUnit)
        case .floor, .ceil, .round:
            guard arity(1), want(0, args[0].type.unwrapped == .number, "a plain number") else { return poisoned(r) }
            return TypedExpr(.scalar(scalar, args), args[0].type, r)
        case .clamp:
            guard arity(3), want(0, args[0].type.dimension != nil, "a quantity") else { return poisoned(r) }
            guard let args = unifyTemperatures(args) else { return poisoned(r) }
            for i in 1...2 where args[i].type.unwrapped != args[0].type.unwrapped {
                error(.dimensionMismatch, "cannot clamp \(describe(args[0])) between \(describe(args[i])) bounds", at: exprs[i].range,
                      labels: labelsFor(args[0], args[i]))
                return poisoned(r)
            }
            // Bounds known at check time must be ordered (the run-time check names the values).
            if case .constant(.number(let low)) = args[1].kind,
               case .constant(.number(let high)) = args[2].kind, low > high {
                error(.argumentOutOfRange, "`clamp` needs low ≤ high, found low `\(text(exprs[1].range))` above high `\(text(exprs[2].range))`",
                      at: exprs[1].range.union(exprs[2].range), help: "swap the bounds: `clamp(x, low, high)`")
                return poisoned(r)
            }
            return TypedExpr(.scalar(.clamp, args), args[0].type.unwrapped.optional(if: optional), r, displayUnit: args[0].displayUnit)
        case .contains, .starts_with, .ends_with:
            guard arity(2), want(0, args[0].type.unwrapped == .string, "a string"),
                  want(1, args[1].type.unwrapped == .string, "a string") else { return poisoned(r) }
            return TypedExpr(.scalar(scalar, args), WattType.bool.optional(if: optional), r)
        case .time:
            guard arity(1), want(0, args[0].type.unwrapped == .string, "an ISO 8601 string") else { return poisoned(r) }
            if case .constant(.string(let text)) = args[0].kind {
                guard let seconds = TimeCalendar.parseISO8601(text) else {
                    error(.typeMismatch, "`\(text)` is not an ISO 8601 time", at: exprs[0].range,
                          help: "write e.g. `\"2026-11-29T18:00:00Z\"`")
                    return poisoned(r)
                }
                return TypedExpr(.constant(.instant(seconds)), .instant, r)
            }
            return TypedExpr(.scalar(.time, args), .optional(.instant), r)
        }
    }

    // MARK: Signature patterns

    struct PatternBindings {
        var dimensions: [Int: Dimension] = [:]
        var types: [Int: WattType] = [:]
    }

    func isOptionalPattern(_ p: TypePattern) -> Bool { if case .optional = p { return true } else { return false } }

    func match(_ type: WattType, _ pattern: TypePattern, _ b: inout PatternBindings) -> Bool {
        switch pattern {
        case .exact(let t): return t == type || (t.unwrapped == type.unwrapped && t.isOptional)
        case .anyQuantity(let v):
            guard case .quantity(let d) = type.unwrapped else { return false }
            if let bound = b.dimensions[v] { return bound == d }
            b.dimensions[v] = d
            return true
        case .any(let v):
            if let bound = b.types[v] { return bound.unwrapped == type.unwrapped }
            b.types[v] = type.unwrapped
            return true
        case .list(let p):
            guard case .list(let e) = type.unwrapped else { return false }
            return match(e, p, &b)
        case .optional(let p):
            return match(type.unwrapped, p, &b)
        case .path(let v):
            return match(type, .anyQuantity(v), &b)
        case .pathOf(let d):
            return type.unwrapped == .quantity(d)
        }
    }

    func isPathPattern(_ p: TypePattern) -> Bool {
        switch p {
        case .path, .pathOf: return true
        default: return false
        }
    }

    /// A string literal (or a list of them) that must name something the host knows.
    func checkAllowed(_ e: TypedExpr, _ allowed: [String]?, what: String) {
        guard let allowed else { return }
        var literals: [(String, SourceRange)] = []
        switch e.kind {
        case .constant(.string(let s)): literals = [(s, e.range)]
        case .constant(.list(let items)):
            literals = items.compactMap { if case .string(let s) = $0 { return (s, e.range) } else { return nil } }
        case .list(let items):
            for item in items { if case .constant(.string(let s)) = item.kind { literals.append((s, item.range)) } }
        default: return
        }
        for (value, range) in literals where !allowed.contains(value) {
            let known = allowed.count <= 8 ? "known: " + allowed.map { "`\($0)`" }.joined(separator: ", ") : nil
            error(.unknownValue, "unknown \(what) `\(value)`", at: range,
                  help: Suggestions.didYouMean(value, in: allowed) ?? known)
        }
    }

    /// The known values of a string field, when `e` reads one (`pool`, `node.pool`).
    /// A constant argument inside its parameter's bounds (E0409 otherwise).
    private func checkBounds(_ argument: TypedExpr, _ bounds: ArgumentBounds, function: String, what: String) -> Bool {
        guard case .constant(.number(let value)) = argument.kind,
              !bounds.contains(value) else { return true }
        let dimension = argument.type.dimension ?? .dimensionless
        let low = bounds.above == 0 ? "0" : QuantityFormatter.format(bounds.above, dimension), high = QuantityFormatter.format(bounds.atMost, dimension)
        error(.argumentOutOfRange, "`\(function)` needs a \(what) above \(low) and at most \(high), found `\(text(argument.range))`",
              at: argument.range, help: "the \(what) must lie in (\(low), \(high)]")
        return false
    }

    func allowedValues(of e: TypedExpr) -> (values: [String], field: String)? {
        guard case .field(let base, let index) = e.kind, let schema = schema(of: base.type),
              let values = schema.fields[index].allowedValues else { return nil }
        return (values, schema.fields[index].name)
    }

    /// `site.power` as written, when the expression is a chain of fields from a host name.
    func telemetryPath(_ expr: Expr) -> String? {
        switch expr.kind {
        case .name(let n):
            guard hostNames[n] != nil, definitionIndex[n] == nil,
                  !scopes.contains(where: { scope in scope.schema.map { fieldIndex($0, n) != nil } ?? false }) else { return nil }
            return n
        case .member(let base, let field):
            return telemetryPath(base).map { $0 + "." + field.name }
        default:
            return nil
        }
    }

    /// A record that stands for a value (`RecordSchema.valueField`) used where a value is
    /// expected: its value field.
    func coerced(_ e: __owned TypedExpr) -> TypedExpr {
        guard let schema = schema(of: e.type), let name = schema.valueField,
              let index = fieldIndex(schema, name) else { return e }
        return TypedExpr(.field(e, index: index), schema.fields[index].type.optional(if: e.type.isOptional), e.range)
    }

    func instantiate(_ pattern: TypePattern, _ b: PatternBindings) -> WattType? {
        switch pattern {
        case .exact(let t): return t
        case .anyQuantity(let v): return b.dimensions[v].map { .quantity($0) }
        case .any(let v): return b.types[v]
        case .list(let p): return instantiate(p, b).map { .list($0) }
        case .optional(let p): return instantiate(p, b).map { .optional($0) }
        case .path(let v): return b.dimensions[v].map { .quantity($0) }
        case .pathOf(let d): return .quantity(d)
        }
    }

    func describePattern(_ p: TypePattern) -> String {
        switch p {
        case .exact(let t): return t.description
        case .anyQuantity: return "quantity"
        case .any: return "any"
        case .list(let e): return "list of \(describePattern(e))"
        case .optional(let e): return "optional \(describePattern(e))"
        case .path: return "telemetry path"
        case .pathOf(let d): return "telemetry path of \(WattType.quantity(d).description)"
        }
    }
}
