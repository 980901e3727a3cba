/// The cluster side of Watt: the world a policy reads at one tick (site, grid, pools, nodes,
/// jobs), the actions policies propose, the `Scheduler` protocol that applies them, and the
/// deterministic simulator that is the embedded default. Knows nothing about the language.
public enum WattCluster {}
