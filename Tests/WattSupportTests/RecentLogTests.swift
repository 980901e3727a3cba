import Testing
import WattSupport

@Suite struct RecentLogTests {
    @Test func keepsTheLastEntriesInOrderAndCountsTheRest() {
        var log = RecentLog<Int>(capacity: 3)
        #expect(log.isEmpty && log.first == nil && log.last == nil)
        for i in 1...2 { log.append(i) }
        #expect(log.entries == [1, 2] && log.dropped == 0)
        for i in 3...10 { log.append(i) }
        #expect(log.entries == [8, 9, 10])
        #expect(Array(log) == [8, 9, 10])
        #expect(log.count == 3 && log.dropped == 7 && log.total == 10)
        #expect(log.first == 8 && log.last == 10)
    }

    @Test(arguments: [1, 2, 7]) func neverHoldsMoreThanItsCapacity(_ capacity: Int) {
        var log = RecentLog<String>(capacity: capacity)
        for i in 0..<100 { log.append("\(i)") }
        #expect(log.count == capacity)
        #expect(log.entries == (100 - capacity..<100).map { "\($0)" })
    }
}
