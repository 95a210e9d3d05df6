using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Rag.Server;

namespace Rag.Server.Tests;

/// <summary>
/// A real Kestrel server on loopback (a free port), serving stories260K (chat and, with mean pooling, embeddings) on
/// one thread, with an index in a temporary folder, an API key, an allowed root and a 64 KiB body limit.
/// </summary>
public class ServerFixture : IAsyncLifetime, IDisposable
{
    public const string ApiKey = "test-key-123";

    private readonly TempDir _dir = new();

    public WebApplication App { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public string DataDir => _dir.Path;

    public string AllowedRoot => _dir.Combine("allowed");

    public string WatchDir => _dir.Combine("watched");

    public HttpClient Http { get; private set; } = null!;

    /// <summary>Extra configuration words for subclasses.</summary>
    protected virtual IEnumerable<string> ExtraArgs => [];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(AllowedRoot);
        Directory.CreateDirectory(WatchDir);
        var adapter = _dir.Combine("wild.lora.gguf");
        Rag.Tools.Synthetic.LoraAdapterWriter.Write(TestModels.Stories260K, adapter, new Rag.Tools.Synthetic.LoraAdapterOptions { Std = 0.5f, Seed = 3 });
        string[] args =
        [
            "--urls", "http://127.0.0.1:0",
            $"--Rag:Model:Chat:Path={TestModels.Stories260K}",
            "--Rag:Model:Chat:Scheduler:Threads=1",
            "--Rag:Model:Chat:Scheduler:AdaptiveThreads=false",
            "--Rag:Model:Chat:Scheduler:ContextSize=2048",
            "--Rag:Model:Chat:Scheduler:MaxSequences=4",
            $"--Rag:Model:Embedding:Path={TestModels.Stories260K}",
            "--Rag:Model:Embedding:Options:Pooling=Mean",
            "--Rag:Model:Embedding:Options:Threads=1",
            $"--Rag:Index:Directory={_dir.Combine("index")}",
            $"--Rag:Server:ApiKey={ApiKey}",
            $"--Rag:Server:AllowedRoots:0={AllowedRoot}",
            $"--Rag:Server:WatchFolders:0={WatchDir}",
            "--Rag:Server:RescanIntervalSeconds=2",
            $"--Rag:Server:Adapters:wild={adapter}",
            "--Rag:Server:MaxRequestBodyBytes=65536",
            "--Rag:Answer:MaxOutputTokens=24",
            "--Logging:LogLevel:Default=Warning",
            .. ExtraArgs,
        ];
        App = RagServer.Build(args);
        await App.StartAsync();
        var address = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
        await WaitReadyAsync();
    }

    public HttpClient Authorized()
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        return client;
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Dispose();
    }

    public void Dispose()
    {
        _dir.Dispose();
        GC.SuppressFinalize(this);
    }

    private async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            var response = await Http.GetAsync(new Uri("/readyz", UriKind.Relative));
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            var body = await response.Content.ReadAsStringAsync();
            if (body.StartsWith("failed", StringComparison.Ordinal) || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("The server did not get ready: " + body);
            }

            await Task.Delay(100);
        }
    }
}

/// <summary>All server tests share one server and run one at a time (greedy outputs are compared across requests).</summary>
[CollectionDefinition(Name)]
public class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "server";
}
