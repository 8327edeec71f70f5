using Shootout.Common;

namespace Shootout.Runner.Tests;

/// <summary>CPU lists as Linux writes them, and the split of a machine's CPUs between the server and the load generator.</summary>
public sealed class CpuSetTests
{
    [Theory]
    [InlineData("0", new[] { 0 }, "0")]
    [InlineData("1", new[] { 1 }, "1")]
    [InlineData("0-3", new[] { 0, 1, 2, 3 }, "0-3")]
    [InlineData("0-3,6", new[] { 0, 1, 2, 3, 6 }, "0-3,6")]
    [InlineData("6,0-1,3", new[] { 0, 1, 3, 6 }, "0-1,3,6")]
    [InlineData("2,2,1-2", new[] { 1, 2 }, "1-2")]
    [InlineData(" 4 - 5 ", new[] { 4, 5 }, "4-5")]
    public void Parses_and_formats_as_taskset_does(string list, int[] cpus, string formatted)
    {
        var set = CpuSet.Parse(list);
        Assert.Equal(cpus, set.Cpus);
        Assert.Equal(formatted, set.ToString());
        Assert.Equal(set, CpuSet.Parse(formatted));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("1-")]
    [InlineData("-1")]
    [InlineData("3-1")]
    [InlineData("1,,2")]
    [InlineData("1-2-3")]
    [InlineData("99999")]
    public void Rejects_what_is_not_a_cpu_list(string list)
    {
        Assert.Throws<FormatException>(() => CpuSet.Parse(list));
        Assert.False(CpuSet.TryParse(list, out _));
    }

    [Fact]
    public void Overlap_and_subset()
    {
        Assert.True(CpuSet.Parse("0-2").Overlaps(CpuSet.Parse("2-3")));
        Assert.False(CpuSet.Parse("0-1").Overlaps(CpuSet.Parse("2-3")));
        Assert.True(CpuSet.Parse("1").IsSubsetOf(CpuSet.Parse("0-1")));
        Assert.False(CpuSet.Parse("1-2").IsSubsetOf(CpuSet.Parse("0-1")));
    }

    [Theory]
    [InlineData("0-1", "1", "0")]
    [InlineData("0-3", "2-3", "0-1")]
    [InlineData("0-2", "1-2", "0")]
    [InlineData("2,5,7", "5,7", "2")]
    public void Split_gives_disjoint_roles_the_server_the_larger_half(string allowed, string server, string loadGen)
    {
        var roles = CpuRoles.Split(CpuSet.Parse(allowed))!;
        Assert.Equal(server, roles.Server.ToString());
        Assert.Equal(loadGen, roles.LoadGen.ToString());
        Assert.False(roles.Shared);
    }

    [Fact]
    public void One_cpu_cannot_be_split()
    {
        Assert.Null(CpuRoles.Split(CpuSet.Parse("3")));
    }

    [Fact]
    public void This_process_reads_its_own_allowed_cpus_from_proc()
    {
        var allowed = CpuSet.Allowed();
        Assert.Equal(allowed, CpuSet.OfProcess(Environment.ProcessId));
        Assert.True(allowed.Count >= 1);
        Assert.Equal(["taskset", "-c", allowed.ToString(), "/bin/true", "x"], allowed.Wrap("/bin/true", ["x"]));
    }
}
