extension Checker {
    func poisoned(_ range: SourceRange) -> TypedExpr { TypedExpr(.constant(.missing), .error, range) }

    /// The checker's recursion: `check` and the functions it calls on the way down to
    /// the operands (`checkBinary`, `checkCall`, ...) only check the operands and hand
    /// them to a `type...` function that is not on the recursive path. Their stack
    /// frames stay small (a few hundred bytes in a debug build, not 10 KB), so the
    /// nesting the parser allows is far from the end of any thread's stack.
    func check(_ expr: Expr) -> TypedExpr {
        nesting += 1
        defer { nesting -= 1 }
        let r = expr.range
        switch expr.kind {
        case .number(_, let value, let unitSymbol):
            return typeNumber(value, unitSymbol, r)
        case .string(let s):
            return TypedExpr(.constant(.string(s)), .string, r)
        case .bool(let b):
            return TypedExpr(.constant(.bool(b)), .bool, r)
        case .name(let name):
            return resolveName(name, r)
        case .list(let items):
            return typeList(items.map(check), r)
        case .unary(let op, let operand):
            return typeUnary(op, check(operand), operand.range, r)
        case .binary(let op, let left, let right):
            return checkBinary(op, left, right, r)
        case .member(let base, let field):
            return checkMember(check(base), field, r)
        case .call(let callee, let arguments):
            return checkCall(callee, arguments, r)
        case .conditional(let c, let a, let b):
            return typeConditional(check(c), check(a), check(b), c.range, a.range, b.range, r)
        case .filter(let collection, let predicate):
            return checkFilter(check(collection), collection.range, predicate, r)
        case .top(let count, let collection, let key, let order):
            return checkTop(check(count), check(collection), count.range, collection.range, key, order, r)
        case .error:
            return poisoned(r)
        }
    }

    @inline(never)
    private func typeNumber(_ value: Double, _ unitSymbol: String?, _ r: SourceRange) -> TypedExpr {
        guard let unitSymbol else { return TypedExpr(numberKind(value), .number, r) }
        guard let unit = NameTables.unit(unitSymbol) else {
            error(.unknownUnit, "unknown unit `\(unitSymbol)`", at: r)
            return poisoned(r)
        }
        let (dimension, canonical) = UnitTable.literal(value, unit)
        guard canonical.isFinite else {
            error(.malformedNumber, "`\(text(r))` is out of range in canonical units (beyond ±1.8e308 \(QuantityFormatter.canonicalSymbol(unit.dimension)))", at: r)
            return poisoned(r)
        }
        if dimension.isTemperaturePoint, canonical < UnitTable.absoluteZeroCelsius * (1 + 1e-12) {
            error(.malformedNumber, "`\(text(r))` is below absolute zero (-273.15 degC, -459.67 degF)", at: r,
                  help: "a difference between two readings is written in K, e.g. `5 K`")
            return poisoned(r)
        }
        return TypedExpr(numberKind(canonical), .quantity(dimension), r, displayUnit: unitSymbol)
    }

    @inline(never)
    private func typeUnary(_ op: UnaryOperator, _ operand: __owned TypedExpr, _ operandRange: SourceRange, _ r: SourceRange) -> TypedExpr {
        switch op {
        case .negate:
            let e = coerced(operand)
            if e.type.isError { return poisoned(r) }
            guard let dimension = e.type.dimension else {
                error(.invalidOperand, "cannot negate \(describe(e))", at: r)
                return poisoned(r)
            }
            if dimension.isTemperaturePoint {
                error(.invalidOperand, "cannot negate \(describe(e)): a reading's zero depends on its scale", at: r,
                      help: "negate a difference instead, e.g. `-(inlet - 20 degC)`")
                return poisoned(r)
            }
            if case .constant(.number(let v)) = e.kind {
                return TypedExpr(numberKind(-v), e.type, r, displayUnit: e.displayUnit)
            }
            return TypedExpr(.negate(e), e.type, r, displayUnit: e.displayUnit)
        case .not:
            let e = operand
            if e.type.isError { return poisoned(r) }
            guard e.type.unwrapped == .bool else {
                error(.typeMismatch, "`not` needs a bool, found \(describe(e))", at: operandRange)
                return poisoned(r)
            }
            return TypedExpr(.not(e), e.type, r)
        }
    }

    private func checkFilter(_ c: __owned TypedExpr, _ collectionRange: SourceRange, _ predicate: Expr, _ r: SourceRange) -> TypedExpr {
        if c.type.isError { return poisoned(r) }
        guard let elementType = c.type.elementType else { return notACollection("`where` needs a list", c, collectionRange, r) }
        let (p, depth) = withElementScope(elementType) { depth in (check(predicate), depth) }
        return typeFilter(c, p, predicate.range, depth, r)
    }

    @inline(never)
    private func typeFilter(_ c: __owned TypedExpr, _ p: __owned TypedExpr, _ predicateRange: SourceRange, _ depth: Int, _ r: SourceRange) -> TypedExpr {
        if p.type.isError { return poisoned(r) }
        guard p.type.unwrapped == .bool else {
            error(.conditionNotBool, "a `where` condition must be a bool, found \(describe(p))", at: predicateRange)
            return poisoned(r)
        }
        return TypedExpr(.filter(c, predicate: p, depth: depth), c.type.unwrapped, r)
    }

    /// Reports `what, found <type>` at `at` and returns the poisoned result.
    @inline(never)
    func notACollection(_ what: String, _ e: TypedExpr, _ at: SourceRange, _ r: SourceRange, help: String? = nil) -> TypedExpr {
        error(.notACollection, "\(what), found \(describe(e))", at: at, help: help)
        return poisoned(r)
    }

    @inline(never)
    private func typeList(_ typed: __owned [TypedExpr], _ r: SourceRange) -> TypedExpr {
        if typed.contains(where: { $0.type.isError }) { return poisoned(r) }
        guard let first = typed.first else { return TypedExpr(.list([]), .list(.error), r) }
        for item in typed.dropFirst() where item.type.unwrapped != first.type.unwrapped {
            error(.typeMismatch, "list elements must have one type: \(describe(first)) and \(describe(item))", at: item.range,
                  labels: [.init(range: first.range, message: "first element is \(describe(first))")])
            return poisoned(r)
        }
        let elementType = first.type.unwrapped.optional(if: typed.contains { $0.type.isOptional })
        if typed.allSatisfy({ if case .constant = $0.kind { return true } else { return false } }) {
            let values = typed.map { e -> Value in if case .constant(let v) = e.kind { return v } else { return .missing } }
            return TypedExpr(.constant(.list(values)), .list(elementType), r, displayUnit: first.displayUnit)
        }
        return TypedExpr(.list(typed), .list(elementType), r, displayUnit: first.displayUnit)
    }

    func resolveName(_ name: String, _ r: SourceRange) -> TypedExpr {
        // 1. Fields of the elements in scope, innermost first; the element by its schema name or `it`.
        if let element = resolveElementName(name, r) { return element }
        // 2. Definitions.
        if let index = definitionIndex[name] { return referenceDefinition(index, name, r) }
        // 3. The evaluation time, then the host's names.
        return resolveHostName(name, r)
    }

    @inline(never)
    private func resolveElementName(_ name: String, _ r: SourceRange) -> TypedExpr? {
        for scope in scopes.reversed() {
            if let schema = scope.schema {
                if let index = fieldIndex(schema, name) {
                    if !namesFieldsHide.isEmpty, namesFieldsHide.contains(name) { warnFieldHides(name, schema: schema, r) }
                    let element = TypedExpr(elementKind(scope.depth), scope.elementType, r)
                    return TypedExpr(.field(element, index: index), schema.fields[index].type, r)
                }
                if name == schema.name {
                    return TypedExpr(elementKind(scope.depth), scope.elementType, r)
                }
            }
            if name == "it" { return TypedExpr(elementKind(scope.depth), scope.elementType, r) }
        }
        return nil
    }

    @inline(never)
    private func warnFieldHides(_ name: String, schema: RecordSchema, _ r: SourceRange) {
        if definitionIndex[name] != nil {
            warning(.fieldHidesName, "field `\(name)` of `\(schema.name)` hides the definition `\(name)` here", at: r,
                    help: "write `\(schema.name).\(name)` for the field, or rename the definition so that no field hides it")
        } else {
            warning(.fieldHidesName, "field `\(name)` of `\(schema.name)` hides the host's name `\(name)` here", at: r,
                    help: "write `\(schema.name).\(name)` for the field, or name the host's `\(name)` with a `let` outside the filter (e.g. `let all_\(name) = \(name)`)")
        }
    }

    private func referenceDefinition(_ index: Int, _ name: String, _ r: SourceRange) -> TypedExpr {
        definitions[index].used = true
        return typeReference(index, name, resolveDefinition(index, usedAt: r), r)
    }

    @inline(never)
    private func typeReference(_ definition: Int, _ name: String, _ state: DefinitionState, _ r: SourceRange) -> TypedExpr {
        switch state {
        case .checkedConst(let value, let type, let unit):
            return TypedExpr(definitions[definition].referenceKind ?? .constant(value), type, r, displayUnit: unit)
        case .checkedLet(let index, let type, let unit):
            if let constName = constContext {
                error(.constNotConstant, "const `\(constName)` cannot use `let` definition `\(name)`", at: r,
                      help: "a `let` is recomputed each tick; make `\(name)` a const, or `\(constName)` a let")
                return poisoned(r)
            }
            return TypedExpr(definitions[definition].referenceKind ?? .letRef(index: index), type, r, displayUnit: unit)
        default:
            return poisoned(r)
        }
    }

    @inline(never)
    private func resolveHostName(_ name: String, _ r: SourceRange) -> TypedExpr {
        if name == "now" {
            if let constName = constContext {
                error(.constNotConstant, "const `\(constName)` cannot use `now`, which changes every tick", at: r,
                      help: "use `let` for values that depend on time")
                return poisoned(r)
            }
            return TypedExpr(.now, .instant, r)
        }
        if let host = hostNames[name] {
            if let constName = constContext {
                error(.constNotConstant, "const `\(constName)` cannot use `\(name)`, which the host supplies each tick", at: r,
                      help: "use `let` for values computed from live state")
                return poisoned(r)
            }
            return TypedExpr(hostNameKind(host.slot), host.type, r)
        }
        if brokenNames.contains(name) || !canReportErrors { return poisoned(r) }
        var help = Suggestions.didYouMean(name, in: visibleNames())
        if help == nil, UnitTable.lookup(name) != nil {
            help = "units follow a number: write `1 \(name)`"
        } else if help == nil, Builtins.all[name] != nil || vocabulary.functions[name] != nil {
            help = "`\(name)` is a function: call it as `\(name)(...)`"
        }
        error(.unknownName, "unknown name `\(name)`", at: r, help: help)
        return poisoned(r)
    }

    func checkMember(_ base: __owned TypedExpr, _ field: Identifier, _ r: SourceRange) -> TypedExpr {
        if base.type.isError { return poisoned(r) }
        let optional = base.type.isOptional
        switch base.type.unwrapped {
        case .record(let schemaName):
            guard let schema = schema(named: schemaName) else { return poisoned(r) }
            guard let index = fieldIndex(schema, field.name) else {
                reportUnknownField(field, in: schema)
                return poisoned(r)
            }
            return TypedExpr(.field(base, index: index), schema.fields[index].type.optional(if: optional), r)
        case .list(let element):
            if let schema = schema(of: element) {
                guard let index = fieldIndex(schema, field.name) else {
                    reportUnknownField(field, in: schema)
                    return poisoned(r)
                }
                return TypedExpr(.project(base, index: index, depth: 0), .list(schema.fields[index].type), r)
            }
            error(.unknownField, "a \(base.type.description) has no field `\(field.name)`", at: field.range,
                  help: "use `count(...)`, `sum(...)` and the other aggregates on lists")
            return poisoned(r)
        case .instant:
            guard let component = Builtins.TimeComponent(rawValue: field.name) else {
                error(.unknownField, "a time instant has no field `\(field.name)`", at: field.range,
                      help: Suggestions.didYouMean(field.name, in: Builtins.TimeComponent.allCases.map(\.rawValue))
                        ?? "time fields: " + Builtins.TimeComponent.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", "))
                return poisoned(r)
            }
            let type: WattType = component == .time_of_day ? .duration : .number
            return TypedExpr(.timeComponent(base, component), type.optional(if: optional), r)
        default:
            error(.unknownField, "\(describe(base)) has no fields", at: field.range)
            return poisoned(r)
        }
    }

    private func reportUnknownField(_ field: Identifier, in schema: RecordSchema) {
        guard canReportErrors else { return }
        error(.unknownField, "`\(schema.name)` has no field `\(field.name)`", at: field.range,
              help: Suggestions.didYouMean(field.name, in: schema.fields.map(\.name))
                ?? "fields of `\(schema.name)`: " + schema.fields.map { "`\($0.name)`" }.joined(separator: ", "))
    }

    @inline(never)
    private func typeConditional(_ condition: __owned TypedExpr, _ trueBranch: __owned TypedExpr, _ falseBranch: __owned TypedExpr,
                                 _ c: SourceRange, _ a: SourceRange, _ b: SourceRange, _ r: SourceRange) -> TypedExpr {
        if condition.type.isError || trueBranch.type.isError || falseBranch.type.isError { return poisoned(r) }
        guard let (whenTrue, whenFalse) = unifyTemperatures(trueBranch, falseBranch) else { return poisoned(r) }
        guard condition.type.unwrapped == .bool else {
            error(.conditionNotBool, "an `if` condition must be a bool, found \(describe(condition))", at: c)
            return poisoned(r)
        }
        guard compatible(whenTrue.type.unwrapped, whenFalse.type.unwrapped) else {
            error(.typeMismatch, "both branches of `if` must have one type: \(describe(whenTrue)) and \(describe(whenFalse))",
                  at: r, labels: [.init(range: a, message: "\(describe(whenTrue))"),
                                  .init(range: b, message: "\(describe(whenFalse))")])
            return poisoned(r)
        }
        let type = whenTrue.type.unwrapped.optional(if: condition.type.isOptional || whenTrue.type.isOptional || whenFalse.type.isOptional)
        return TypedExpr(.conditional(condition, whenTrue, whenFalse), type, r,
                         displayUnit: whenTrue.displayUnit == whenFalse.displayUnit ? whenTrue.displayUnit : nil)
    }

    /// Types that may meet (`[]` has an unknown element type).
    func compatible(_ a: WattType, _ b: WattType) -> Bool {
        if a == b || a == .error || b == .error { return true }
        if case .list(let x) = a, case .list(let y) = b { return compatible(x.unwrapped, y.unwrapped) }
        return false
    }

    private func checkTop(_ n: __owned TypedExpr, _ c: __owned TypedExpr, _ countRange: SourceRange, _ collectionRange: SourceRange,
                          _ key: Expr, _ order: TopOrder?, _ r: SourceRange) -> TypedExpr {
        if n.type.isError || c.type.isError { return poisoned(r) }
        guard n.type.unwrapped == .number else { return topNeedsNumber(n, countRange, r) }
        if case .constant(.number(let count)) = n.kind, !(count >= 0) {
            error(.argumentOutOfRange, "`top` needs a count of at least 0, found `\(text(countRange))`", at: countRange,
                  help: "`top 0 of ...` is empty; for the smallest, write `top n of ... by key asc`")
            return poisoned(r)
        }
        guard let elementType = c.type.elementType else { return notACollection("`top ... of` needs a list", c, collectionRange, r) }
        let (k, depth) = withElementScope(elementType) { depth in (check(key), depth) }
        return typeTop(n, c, k, key.range, depth, order, r)
    }

    @inline(never)
    private func topNeedsNumber(_ n: TypedExpr, _ at: SourceRange, _ r: SourceRange) -> TypedExpr {
        error(.typeMismatch, "`top` needs a plain number of elements, found \(describe(n))", at: at)
        return poisoned(r)
    }

    @inline(never)
    private func typeTop(_ n: __owned TypedExpr, _ c: __owned TypedExpr, _ k: __owned TypedExpr, _ keyRange: SourceRange, _ depth: Int,
                         _ order: TopOrder?, _ r: SourceRange) -> TypedExpr {
        if k.type.isError { return poisoned(r) }
        switch k.type.unwrapped {
        case .quantity, .instant, .string: break
        default:
            error(.typeMismatch, "`top ... by` needs a quantity, time or string to order by, found \(describe(k))", at: keyRange)
            return poisoned(r)
        }
        return TypedExpr(.top(count: n, collection: c, key: k, depth: depth, descending: order != .asc), c.type.unwrapped, r)
    }
}
