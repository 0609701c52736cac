using Customer360.Streaming.Testing;

// The run's temporary folders (rule files the command-line tests write) go when every test is done.
[assembly: AssemblyFixture(typeof(TestScratchCleanup))]
