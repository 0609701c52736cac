using Customer360.Streaming.Testing;

[assembly: AssemblyFixture(typeof(KafkaFixture))]
[assembly: AssemblyFixture(typeof(RedisServerFixture))]
[assembly: AssemblyFixture(typeof(SchemaRegistryFixture))]

// The run's temporary folders (topology copies, state, the processors' working folder) go when every test is done.
[assembly: AssemblyFixture(typeof(TestScratchCleanup))]
