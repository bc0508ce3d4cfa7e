// @kith/core/testing — memory implementations, conformance suites and the simulated network.
export {};
