using System.Buffers.Binary;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Rag.Onnx.Embeddings.Internal;

/// <summary>
/// Reads an embedded resource out of an assembly file as plain data, without loading the assembly: the model packages'
/// assemblies reference a base package we do not restore, and loading 90 MB of code to read a resource would be waste.
/// A managed resource is a 4-byte little-endian length and the bytes, at its offset in the CLI header's resources directory.
/// </summary>
internal static class PackagedResource
{
    /// <summary>Finds <paramref name="resourceName"/> in <paramref name="assemblyPath"/>: its file offset and length.</summary>
    /// <exception cref="OnnxModelException">The file is not an assembly, or the resource is missing or truncated.</exception>
    public static (long Offset, long Length) Locate(string assemblyPath, string resourceName)
    {
        using var file = new FileStream(assemblyPath, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        try
        {
            using var pe = new PEReader(file, PEStreamOptions.LeaveOpen);
            if (!pe.HasMetadata || pe.PEHeaders.CorHeader is null)
            {
                throw new OnnxModelException($"'{assemblyPath}' is not a .NET assembly, so it holds no '{resourceName}' resource.");
            }

            var metadata = pe.GetMetadataReader();
            foreach (var handle in metadata.ManifestResources)
            {
                var resource = metadata.GetManifestResource(handle);
                if (!resource.Implementation.IsNil || !metadata.StringComparer.Equals(resource.Name, resourceName))
                {
                    continue;
                }

                if (!pe.PEHeaders.TryGetDirectoryOffset(pe.PEHeaders.CorHeader.ResourcesDirectory, out var directory))
                {
                    break;
                }

                long start = directory + resource.Offset;
                Span<byte> prefix = stackalloc byte[4];
                file.Position = start;
                file.ReadExactly(prefix);
                long length = BinaryPrimitives.ReadUInt32LittleEndian(prefix);
                if (start + 4 + length > file.Length)
                {
                    throw new OnnxModelException($"Resource '{resourceName}' of '{assemblyPath}' runs past the end of the file: the file is truncated.");
                }

                return (start + 4, length);
            }
        }
        catch (BadImageFormatException e)
        {
            throw new OnnxModelException($"'{assemblyPath}' is not a valid assembly ({e.Message}).", e);
        }
        catch (EndOfStreamException e)
        {
            throw new OnnxModelException($"'{assemblyPath}' is truncated ({e.Message}).", e);
        }

        throw new OnnxModelException($"'{assemblyPath}' has no embedded resource '{resourceName}'.");
    }
}
