using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Rag.Model.Gguf;

// usage: Rag.Gguf.Bench NATIVE_DIR MODEL.gguf [ITERATIONS]
// Parses the model's header (all metadata and tensor infos, no tensor data) ITERATIONS times with each parser,
// alternating, and prints the median time per parse and the ratio.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Rag.Gguf.Bench NATIVE_DIR MODEL.gguf [ITERATIONS]");
    return 2;
}

var nativeDir = args[0];
var model = args[1];
var iterations = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 50;
NativeLibrary.SetDllImportResolver(typeof(GgufC).Assembly, (name, _, _) =>
    name == "ggml-base" ? NativeLibrary.Load(Path.Combine(nativeDir, "libggml-base.so")) : IntPtr.Zero);

long managedKeys = 0, nativeKeys = 0;
var managed = new List<double>();
var native = new List<double>();
for (var i = 0; i < iterations + 3; i++)
{
    var sw = Stopwatch.StartNew();
    using (var r = GgufReader.Open(model))
    {
        managedKeys = r.Metadata.Count + r.Tensors.Count;
    }

    var m = sw.Elapsed.TotalMilliseconds;
    sw.Restart();
    var ctx = GgufC.gguf_init_from_file(model, new GgufC.InitParams { NoAlloc = 1, Ctx = IntPtr.Zero });
    if (ctx == IntPtr.Zero)
    {
        Console.Error.WriteLine("gguf_init_from_file failed");
        return 1;
    }

    nativeKeys = GgufC.gguf_get_n_kv(ctx) + GgufC.gguf_get_n_tensors(ctx);
    GgufC.gguf_free(ctx);
    var n = sw.Elapsed.TotalMilliseconds;
    if (i >= 3)
    {
        managed.Add(m);
        native.Add(n);
    }
}

if (managedKeys != nativeKeys)
{
    Console.Error.WriteLine($"parsers disagree: {managedKeys} vs {nativeKeys} keys+tensors");
    return 1;
}

static double Median(List<double> x) => x.Order().ElementAt(x.Count / 2);
var mm = Median(managed);
var nn = Median(native);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{Path.GetFileName(model)}: {managedKeys} keys+tensors; GgufReader {mm:F3} ms, gguf_init_from_file {nn:F3} ms (median of {iterations}); ours/llama.cpp = {mm / nn:F2}"));
return 0;

internal static partial class GgufC
{
    [StructLayout(LayoutKind.Sequential)]
    public struct InitParams
    {
        public byte NoAlloc;
        public IntPtr Ctx;
    }

    [LibraryImport("ggml-base", StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr gguf_init_from_file(string fname, InitParams p);

    [LibraryImport("ggml-base")]
    public static partial long gguf_get_n_kv(IntPtr ctx);

    [LibraryImport("ggml-base")]
    public static partial long gguf_get_n_tensors(IntPtr ctx);

    [LibraryImport("ggml-base")]
    public static partial void gguf_free(IntPtr ctx);
}
