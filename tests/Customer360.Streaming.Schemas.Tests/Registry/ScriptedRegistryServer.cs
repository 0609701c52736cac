using System.Net;
using System.Text;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Schemas.Tests.Registry;

/// <summary>
/// A registry that answers from a script, on loopback: what Confluent's client sends (paths, headers) is recorded, and
/// each request gets the next scripted answer (the last one repeats). Confluent's client takes no HTTP handler, so
/// its behaviour is tested over a real socket.
/// </summary>
internal sealed class ScriptedRegistryServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly (int Status, string Body)[] _answers;
    private readonly Task _serving;
    private int _next;

    public ScriptedRegistryServer(params (int Status, string Body)[] answers)
    {
        _answers = answers;
        var port = FreePort.Next();
        Url = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Url + "/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public string Url { get; }

    public List<(string Method, string PathAndQuery, string? Authorization, string Body)> Requests { get; } = [];

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _serving.Wait(TimeSpan.FromSeconds(5));
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            (int Status, string Body) answer;
            lock (Requests)
            {
                Requests.Add((context.Request.HttpMethod, context.Request.Url!.PathAndQuery, context.Request.Headers["Authorization"], body));
                answer = _answers[Math.Min(_next++, _answers.Length - 1)];
            }

            var bytes = Encoding.UTF8.GetBytes(answer.Body);
            context.Response.StatusCode = answer.Status;
            context.Response.ContentType = "application/vnd.schemaregistry.v1+json";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }
}
