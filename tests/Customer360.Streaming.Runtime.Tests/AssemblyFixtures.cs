using Customer360.Streaming.Testing;

// The run's temporary folders (RocksDB stores, state folders, lock files) go when every test is done.
[assembly: AssemblyFixture(typeof(TestScratchCleanup))]
