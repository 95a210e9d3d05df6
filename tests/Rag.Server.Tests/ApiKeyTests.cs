using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Rag.Server.Hosting;
using Rag.Server.Security;

namespace Rag.Server.Tests;

/// <summary>The key policy on its own: writes always need the key, reads only when configured, no key means no writes.</summary>
public class ApiKeyTests
{
    private static HttpContext Request(Action<RagServerOptions> configure, string? bearer = null)
    {
        var services = new ServiceCollection();
        services.AddOptions<RagServerOptions>().Configure(configure);
        var http = new DefaultHttpContext { RequestServices = services.BuildServiceProvider() };
        if (bearer is not null)
        {
            http.Request.Headers.Authorization = "Bearer " + bearer;
        }

        return http;
    }

    private static int? Status(HttpContext http, bool write)
    {
        try
        {
            ApiKeyRequirement.Check(http, write);
            return null;
        }
        catch (ApiException ex)
        {
            return ex.Status;
        }
    }

    [Fact]
    public void Reads_need_the_key_only_when_configured()
    {
        Assert.Null(Status(Request(o => o.ApiKey = "k"), write: false));
        Assert.Equal(401, Status(Request(o => { o.ApiKey = "k"; o.RequireKeyForReads = true; }), write: false));
        Assert.Equal(401, Status(Request(o => { o.ApiKey = "k"; o.RequireKeyForReads = true; }, bearer: "nope"), write: false));
        Assert.Null(Status(Request(o => { o.ApiKey = "k"; o.RequireKeyForReads = true; }, bearer: "k"), write: false));
    }

    [Fact]
    public void Without_a_configured_key_writes_are_refused_unless_explicitly_allowed()
    {
        var previous = Environment.GetEnvironmentVariable(RagServerOptions.ApiKeyEnvironmentVariable);
        Environment.SetEnvironmentVariable(RagServerOptions.ApiKeyEnvironmentVariable, null);
        try
        {
            Assert.Equal(401, Status(Request(_ => { }), write: true));
            Assert.Null(Status(Request(o => o.AllowAnonymousWrites = true), write: true));
            Assert.Null(Status(Request(_ => { }), write: false));
            Environment.SetEnvironmentVariable(RagServerOptions.ApiKeyEnvironmentVariable, "from-env");
            Assert.Equal(401, Status(Request(_ => { }, bearer: "wrong"), write: true));
            Assert.Null(Status(Request(_ => { }, bearer: "from-env"), write: true));
        }
        finally
        {
            Environment.SetEnvironmentVariable(RagServerOptions.ApiKeyEnvironmentVariable, previous);
        }
    }
}
