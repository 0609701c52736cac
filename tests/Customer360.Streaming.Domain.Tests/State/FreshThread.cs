namespace Customer360.Streaming.Domain.Tests.State;

/// <summary>Runs an encoding on a thread that has encoded nothing before: the reference for the reused per-thread writer.</summary>
internal static class FreshThread
{
    public static T Run<T>(Func<T> work)
    {
        T? result = default;
        var thread = new Thread(() => result = work());
        thread.Start();
        thread.Join();
        return result!;
    }
}
