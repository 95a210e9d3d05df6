using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rag.Server.Hosting;

namespace Rag.Server.Security;

/// <summary>
/// Checks the API key (<c>Authorization: Bearer KEY</c> or <c>X-Api-Key: KEY</c>, compared in constant time).
/// Writes always need it; reads only with <see cref="RagServerOptions.RequireKeyForReads"/>. With no key configured,
/// writes are refused unless <see cref="RagServerOptions.AllowAnonymousWrites"/> is set.
/// </summary>
/// <remarks>Endpoint metadata, checked by <see cref="ErrorHandling"/> once routing has chosen the endpoint.</remarks>
internal sealed class ApiKeyRequirement(bool write)
{
    public static readonly ApiKeyRequirement Write = new(write: true);
    public static readonly ApiKeyRequirement Read = new(write: false);

    public bool IsWrite { get; } = write;

    public static void Check(HttpContext http, bool write)
    {
        var options = http.RequestServices.GetRequiredService<IOptions<RagServerOptions>>().Value;
        var key = options.ResolvedApiKey;
        if (key is null)
        {
            if (write && !options.AllowAnonymousWrites)
            {
                throw new ApiException(401, $"This endpoint changes the index and no API key is configured: set {RagServerOptions.ApiKeyEnvironmentVariable} (or Rag:Server:ApiKey) and send it as a Bearer token.",
                    null, "missing_api_key");
            }

            return;
        }

        if (!write && !options.RequireKeyForReads)
        {
            return;
        }

        var sent = Presented(http.Request);
        if (sent is null)
        {
            throw new ApiException(401, "Missing API key: send 'Authorization: Bearer KEY' or 'X-Api-Key: KEY'.", null, "missing_api_key");
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent), Encoding.UTF8.GetBytes(key)))
        {
            throw new ApiException(401, "Incorrect API key.", null, "invalid_api_key");
        }
    }

    private static string? Presented(HttpRequest request)
    {
        var auth = request.Headers.Authorization.ToString();
        if (auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return auth["Bearer ".Length..].Trim();
        }

        var header = request.Headers["X-Api-Key"].ToString();
        return header.Length > 0 ? header : null;
    }
}
