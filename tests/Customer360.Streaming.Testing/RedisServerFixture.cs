using Xunit;

namespace Customer360.Streaming.Testing;

/// <summary>
/// A private redis-server on a free loopback port with no persistence, in a temporary folder, stopped when the tests
/// end. <see cref="IsAvailable"/> is false (and <see cref="SkipReason"/> says why) when redis-server is not installed.
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private readonly string? _requirePass;
    private readonly int? _port;
    private ChildProcess? _server;
    private string? _directory;

    public RedisServerFixture()
    {
    }

    private RedisServerFixture(string? requirePass, int? port)
    {
        _requirePass = requirePass;
        _port = port;
    }

    public bool IsAvailable => _server is not null;

    public string? SkipReason { get; private set; }

    public int Port { get; private set; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>A server of the caller's own that asks every client for <paramref name="requirePass"/>; the caller disposes it.</summary>
    public static async Task<RedisServerFixture> StartRequiringPasswordAsync(string requirePass)
    {
        var server = new RedisServerFixture(requirePass, port: null);
        await server.InitializeAsync();
        return server;
    }

    /// <summary>A server of the caller's own on <paramref name="port"/> (where a client may be waiting for it); the caller disposes it.</summary>
    public static async Task<RedisServerFixture> StartOnPortAsync(int port)
    {
        var server = new RedisServerFixture(requirePass: null, port);
        await server.InitializeAsync();
        return server;
    }

    public async ValueTask InitializeAsync()
    {
        var program = ExternalTools.Find("redis-server");
        if (program is null)
        {
            SkipReason = ExternalTools.InstallHint("redis-server");
            TestRunReport.Note($"Redis tests skipped: {SkipReason}");
            return;
        }

        _directory = Directory.CreateTempSubdirectory("c360-redis-").FullName;
        Port = _port ?? FreePort.Next();
        _server = ChildProcess.Start(program,
            ["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", _directory, "--daemonize", "no",
             .. _requirePass is null ? Array.Empty<string>() : ["--requirepass", _requirePass]]);
        if (!await FreePort.WaitForListenerAsync(Port, TimeSpan.FromSeconds(10)))
        {
            throw new InvalidOperationException("redis-server did not start listening: " + _server.AllOutput);
        }
    }

    /// <summary>Skips the calling test when there is no redis-server.</summary>
    public void SkipUnlessAvailable()
    {
        if (!IsAvailable)
        {
            Assert.Skip(SkipReason ?? "redis-server unavailable");
        }
    }

    /// <summary>Stops the server and removes its folder; a second call does nothing (a test may stop it early).</summary>
    public ValueTask DisposeAsync()
    {
        _server?.Dispose();
        _server = null;
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
            _directory = null;
        }

        return ValueTask.CompletedTask;
    }
}
