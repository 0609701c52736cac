using Customer360.Streaming.Runtime.Stores;

namespace Customer360.Streaming.Runtime.Processing;

/// <summary>Where a stream thread's tasks keep their RocksDB stores, and the memory those stores share with the process's other threads.</summary>
internal sealed record LocalStateRoot(string Directory, RocksDbMemory Memory);
