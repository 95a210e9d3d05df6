using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using Rag.Core.Storage;

namespace Rag.Host.Tests;

/// <summary>
/// <c>rag serve</c> as a real process: SIGTERM while the worker ingests a watched folder stops it gracefully (exit 0,
/// the batch in flight rolled back), the index it leaves is consistent, and a restart finishes the folder.
/// </summary>
public partial class ServeProcessTests
{
    private const int Files = 240;

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Sigterm_during_ingestion_leaves_a_consistent_index_and_a_restart_completes_it()
    {
        using var dir = new TempDir();
        var watch = dir.Combine("docs");
        Directory.CreateDirectory(watch);
        for (var i = 0; i < Files; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(watch, $"doc{i:D4}.txt"),
                string.Concat(Enumerable.Repeat($"Document {i}. Lily and Tom played with ball number {i} in the park. The sun was warm and the grass was green. ", 3)));
        }

        var dataDir = dir.Combine("data");
        var (first, port, firstLog) = Start(dataDir, watch);
        int atSigterm;
        using (first)
        {
            // Wait for the first commits, then stop while the worker is still embedding.
            atSigterm = await WaitForDocumentsAsync(port, first, d => d > 0);
            Assert.Equal(0, Kill(first.Id, 15));
            Assert.True(first.WaitForExit(60_000), "rag serve did not stop within 60 s of SIGTERM");
            first.WaitForExit();
            var stderr = firstLog.ToString();
            Assert.True(first.ExitCode == 0, $"exit {first.ExitCode}: {stderr}");
            Assert.True(atSigterm < Files, $"ingestion had finished ({atSigterm} documents) before SIGTERM: the test proves nothing");
            Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        }

        // The index left behind: a committed generation whose keyword, vector and document records agree.
        int afterStop;
        using (var store = IndexStore.Open(new IndexStoreOptions { Directory = Path.Combine(dataDir, "index") }))
        using (var snapshot = store.AcquireSnapshot())
        {
            var verification = snapshot.Verify();
            Assert.True(verification.IsConsistent(expectVectors: true), verification.ToString());
            afterStop = snapshot.Documents.Count;
            Assert.InRange(afterStop, atSigterm, Files - 1);
        }

        // A restart picks up where it stopped and completes the folder.
        var (second, port2, secondLog) = Start(dataDir, watch);
        using (second)
        {
            var total = await WaitForDocumentsAsync(port2, second, d => d == Files);
            Assert.Equal(Files, total);
            Assert.Equal(0, Kill(second.Id, 15));
            Assert.True(second.WaitForExit(60_000));
            Assert.True(second.ExitCode == 0, secondLog.ToString());
        }

        using (var store = IndexStore.Open(new IndexStoreOptions { Directory = Path.Combine(dataDir, "index") }))
        using (var snapshot = store.AcquireSnapshot())
        {
            Assert.True(snapshot.Verify().IsConsistent(expectVectors: true));
            Assert.Equal(Files, snapshot.Documents.Count);
        }
    }

    private static (Process Process, int Port, System.Text.StringBuilder Log) Start(string dataDir, string watch)
    {
        var port = FreePort();
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList =
            {
                Path.Combine(AppContext.BaseDirectory, "rag.dll"), "serve", "--urls", $"http://127.0.0.1:{port}", "--data-dir", dataDir,
                "--watch", watch, "--threads", "1", "--embedder", TestModels.Stories260K,
                "--Rag:Model:Embedding:Options:Pooling=Mean", "--Rag:Model:Embedding:Options:Threads=1",
                "--Rag:Ingest:Ingestion:CommitEveryDocuments=10", "--Rag:Ingest:Ingestion:EmbeddingBatchSize=4",
                "--Logging:LogLevel:Default=Information",
            },
        };
        var log = new System.Text.StringBuilder();
        var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (log)
            {
                log.AppendLine(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, port, log);
    }

    private static async Task<int> WaitForDocumentsAsync(int port, Process process, Func<int, bool> done)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (true)
        {
            Assert.False(process.HasExited, $"rag serve exited early ({(process.HasExited ? process.ExitCode : 0)})");
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for documents");
            try
            {
                using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/documents", UriKind.Relative)));
                var count = doc.RootElement.GetProperty("documents").GetArrayLength();
                if (done(count))
                {
                    return count;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(50);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
