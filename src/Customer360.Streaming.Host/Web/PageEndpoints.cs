using System.Reflection;
using Customer360.Streaming.Domain;
using Customer360.Streaming.Host.Hosting;
using Customer360.Streaming.Host.Web.Components;
using Microsoft.Extensions.Options;

namespace Customer360.Streaming.Host.Web;

/// <summary>
/// The web pages: <c>/</c> (overview), <c>/customers/{id}</c> (single view), <c>/stores/{storeId}</c> (store floor),
/// each with a <c>…/live</c> event stream, the search, and our script and stylesheet. Every one of them, and the
/// context document, goes through <see cref="PageAccess"/>.
/// </summary>
internal static class PageEndpoints
{
    private const string Html = "text/html; charset=utf-8";

    public static IServiceCollection AddPages(this IServiceCollection services)
    {
        services.AddSingleton<LiveFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<LiveFeed>());
        services.AddSingleton<PageData>();
        services.AddSingleton<PageRenderer>();
        services.AddSingleton(sp => new SharedRenders(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<HttpOptions>>().Value.MaxLivePages));
        services.AddSingleton<PageAccess>();
        return services;
    }

    public static void MapPages(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(EscapedSlashes.RestoreAsync);
        var pages = app.MapGroup(string.Empty).AddEndpointFilter<PageAccess>();
        pages.MapGet("/", async (PageData data, PageRenderer renderer) => Page(await renderer.RenderModelAsync<HomePage>(await data.OverviewAsync())));
        pages.MapGet("/live", (HttpContext http, PageData data, PageRenderer renderer) =>
            LiveStream.ServeAsync(http, async () => await renderer.RenderModelAsync<HomeLive>(await data.OverviewAsync())));

        pages.MapGet("/customers/{id}", async (string id, PageData data, PageRenderer renderer) => EntityIds.Problem(id) is { } problem
            ? await MessageAsync(renderer, StatusCodes.Status400BadRequest, "Not a customer id", $"The customer id {problem}.")
            : Page(await renderer.RenderModelAsync<CustomerPage>(await data.CustomerAsync(id))));
        pages.MapGet("/customers/{id}/live", (HttpContext http, string id, PageData data, PageRenderer renderer) => EntityIds.IsValid(id)
            ? LiveStream.ServeAsync(http, async () => await renderer.RenderModelAsync<CustomerLive>(await data.CustomerAsync(id)))
            : Results.BadRequest().ExecuteAsync(http));
        pages.MapGet("/customers/{id}/context", ContextEndpoint.GetAsync);

        pages.MapGet("/stores/{storeId}", async (string storeId, PageData data, PageRenderer renderer) => data.Store(storeId) is { } store
            ? Page(await renderer.RenderModelAsync<StorePage>(await data.StoreFloorAsync(store)))
            : await MessageAsync(renderer, StatusCodes.Status404NotFound, "No such store", "stores.yaml has no store with this id."));
        pages.MapGet("/stores/{storeId}/live", (HttpContext http, string storeId, PageData data, PageRenderer renderer) => data.Store(storeId) is { } store
            ? LiveStream.ServeAsync(http, async () => await renderer.RenderModelAsync<StoreLive>(await data.StoreFloorAsync(store)))
            : Results.NotFound().ExecuteAsync(http));

        pages.MapGet("/search", async (string? q, PageData data, PageRenderer renderer) =>
        {
            var query = q?.Trim() ?? string.Empty;
            if (query.Length == 0)
            {
                return Results.Redirect("/");
            }

            if (EntityIds.Problem(query) is { } problem)
            {
                return await MessageAsync(renderer, StatusCodes.Status400BadRequest, "Not a customer id, identifier or store", $"The search {problem}.", query);
            }

            var found = await data.SearchAsync(query);
            return found.Outcome switch
            {
                SearchOutcome.Found => Results.Redirect(found.Path!),
                SearchOutcome.RedisDown => await MessageAsync(renderer, StatusCodes.Status503ServiceUnavailable, "Redis is not reachable",
                    "Customers cannot be searched until Redis answers; stores can.", query),
                _ => await MessageAsync(renderer, StatusCodes.Status404NotFound, "Nothing found",
                    "No customer, anonymous visitor or store has this id, identifier or name (Redis holds no context for it).", query),
            };
        });

        pages.MapGet("/assets/{name}", (string name) => Asset(name));
    }

    /// <summary>Where the pages are, once the server has started: with port 0 the system chose the port.</summary>
    public static string Url(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://127.0.0.1:0";
        return address.TrimEnd('/') + "/";
    }

    private static IResult Page(string html) => Results.Content(html, Html);

    private static async Task<IResult> MessageAsync(PageRenderer renderer, int status, string title, string message, string? query = null)
    {
        var html = await renderer.RenderAsync<MessagePage>(new Dictionary<string, object?> { ["Title"] = title, ["Message"] = message, ["Query"] = query });
        return Results.Content(html, Html, statusCode: status);
    }

    private static IResult Asset(string name)
    {
        var contentType = Path.GetExtension(name) switch
        {
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            _ => null,
        };
        var stream = contentType is null ? null : Assembly.GetExecutingAssembly().GetManifestResourceStream("assets/" + name);
        return stream is null ? Results.NotFound() : Results.Stream(stream, contentType);
    }
}
