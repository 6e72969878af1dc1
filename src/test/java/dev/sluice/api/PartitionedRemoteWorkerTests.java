package dev.sluice.api;

import org.springframework.test.context.TestPropertySource;

/**
 * Every remote-worker test again on a namespace of three partitions: the worker's tokens stay in
 * partition 0 while its jobs' lanes, leases and outcomes are in theirs (claims under a per-worker lock,
 * freed tokens given back by the node that ran the script, registration in every partition).
 */
@TestPropertySource(properties = "sluice.partitions=3")
class PartitionedRemoteWorkerTests extends RemoteWorkerTests {
}
