using System.Runtime.CompilerServices;

namespace Shootout.TestSupport;

/// <summary>
/// The bytes the runtime allocates for one instance of a type: what an idle connection's objects cost, pinned by
/// the engines' footprint tests. The first allocation of a type may allocate once more (its first use), so the
/// second of two is counted.
/// </summary>
public static class InstanceSize
{
    public static long Of(Type type)
    {
        _ = RuntimeHelpers.GetUninitializedObject(type);
        long before = GC.GetAllocatedBytesForCurrentThread();
        object instance = RuntimeHelpers.GetUninitializedObject(type);
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(instance);
        return bytes;
    }
}
