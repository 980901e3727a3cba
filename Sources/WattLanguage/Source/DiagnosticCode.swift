/// Stable diagnostic codes. A code is never reused for another meaning; docs/diagnostics.md
/// lists each with an example. Ranges: E01 lexical, E02 syntax, E03 names, E04 types and
/// units, E05 actions, E06 cost, E07 runtime; W for warnings.
public enum DiagnosticCode: String, Sendable, Codable, CaseIterable {
    // Lexical
    case invalidCharacter = "E0101"
    case unterminatedString = "E0102"
    case invalidEscape = "E0103"
    case invalidUTF8 = "E0104"
    case malformedNumber = "E0105"
    case unknownUnit = "E0106"
    case tokenTooLong = "E0107"
    // Syntax
    case expectedToken = "E0201"
    case expectedExpression = "E0202"
    case expectedDeclaration = "E0203"
    case duplicateClause = "E0204"
    case missingClause = "E0205"
    case nestingTooDeep = "E0206"
    case chainedComparison = "E0207"
    case inputTooLarge = "E0208"
    // Names
    case unknownName = "E0301"
    case unknownField = "E0302"
    case unknownFunction = "E0303"
    case unknownVerb = "E0304"
    case duplicateDefinition = "E0305"
    case cyclicDefinition = "E0306"
    case constNotConstant = "E0307"
    // Types and units
    case dimensionMismatch = "E0401"
    case typeMismatch = "E0402"
    case noMatchingOverload = "E0403"
    case conditionNotBool = "E0404"
    case invalidOperand = "E0405"
    case notACollection = "E0406"
    case constEvaluationFailed = "E0407"
    case unknownValue = "E0408"
    case argumentOutOfRange = "E0409"
    // Actions
    case unknownSlot = "E0501"
    case missingSlot = "E0502"
    case duplicateSlot = "E0503"
    case invalidTarget = "E0504"
    case perTargetWithoutTarget = "E0505"
    case perTargetWithUntil = "E0506"
    // Cost
    case costTooHigh = "E0601"
    // Runtime (reported per rule; evaluation never traps)
    case budgetExceeded = "E0701"
    case missingValue = "E0702"
    case arithmeticError = "E0703"
    // Warnings
    case unusedDefinition = "W0301"
    case shadowedName = "W0302"
    case fieldHidesName = "W0303"
    case costHigh = "W0601"
    case rulesFight = "W0501"
    case alwaysTrue = "W0401"
}
