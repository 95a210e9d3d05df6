using System.Text.Json;

namespace Rag.Server.Hosting;

/// <summary>Serializer settings for values the server writes through <see cref="JsonSerializer"/>.</summary>
internal static class ServerJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
