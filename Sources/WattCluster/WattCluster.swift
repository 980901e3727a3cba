// The cluster side of Watt: the world a policy reads at one tick (site, grid, pools, nodes,
// jobs), the actions policies propose, the `Scheduler` protocol that applies them, and the
// deterministic simulator that is the embedded default. Knows nothing about the language.
// docs/cluster.md describes it all.
//
// There is deliberately no type named `WattCluster`: a type with the module's name would
// shadow the module, and `WattCluster.Action` must stay usable to tell this module's `Action`
// from the language's (`WattLanguage.Action`, a syntax node) where both are imported.

/// `Action` under a name no other Watt module uses.
public typealias ClusterAction = Action
