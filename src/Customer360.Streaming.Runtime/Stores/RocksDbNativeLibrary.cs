using RocksDbSharp;

namespace Customer360.Streaming.Runtime.Stores;

/// <summary>
/// RocksDbSharp binds RocksDB's native functions in a static constructor that builds each binding with Reflection.Emit:
/// 0.4–0.6 s on this machine, paid by whichever thread touches RocksDB first. A worker that keeps RocksDB stores starts
/// it on the thread pool when it is created, so it overlaps the group join instead of holding the stream thread at its
/// first assignment, before any store can restore.
/// </summary>
internal static class RocksDbNativeLibrary
{
    private static readonly Lazy<Task<bool>> Binding = new(() => Task.Run(Bind));

    /// <summary>The binding started by <see cref="BindInBackground"/>, or null before anything asked for it.</summary>
    public static Task<bool>? Loading => Binding.IsValueCreated ? Binding.Value : null;

    /// <summary>Starts the binding once per process; later calls return the same task.</summary>
    public static Task<bool> BindInBackground() => Binding.Value;

    /// <summary>
    /// True once bound. A library that cannot load gives false here, and the same error again where the first store
    /// opens, which fails its worker with the reason.
    /// </summary>
    private static bool Bind()
    {
        try
        {
            return Native.Instance is not null;
        }
        catch (TypeInitializationException)
        {
            return false;
        }
    }
}
