using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace Customer360.Streaming.Host.Web;

/// <summary>
/// Renders the pages' Razor components to HTML on the server. Razor encodes every value it writes, so a segment named
/// <c>&lt;script&gt;</c> is shown as text; nothing in the components writes raw markup.
/// </summary>
internal sealed class PageRenderer(IServiceProvider services, ILoggerFactory loggers)
{
    public async Task<string> RenderAsync<TComponent>(IDictionary<string, object?> parameters)
        where TComponent : IComponent
    {
        await using var renderer = new HtmlRenderer(services, loggers);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters));
            return output.ToHtmlString();
        });
    }

    /// <summary>A component that takes its page model as <c>Model</c>, as every page and live part does.</summary>
    public Task<string> RenderModelAsync<TComponent>(object model)
        where TComponent : IComponent => RenderAsync<TComponent>(new Dictionary<string, object?> { ["Model"] = model });
}
