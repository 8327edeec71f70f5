namespace Shootout.Infra.Tests;

/// <summary>The repository's files under test and the executables the tests run.</summary>
public static class Repo
{
    public static string Root => RepoPaths.Root;

    public static string File(string relative) => RepoPaths.File(relative);

    public static string ComposeFile => File("docker-compose.yml");
    public static string PrometheusConfig => File("infra/prometheus/prometheus.yml");
    public static string RulesFile => File("infra/prometheus/rules.yml");
    public static string Dashboard => File("infra/grafana/dashboards/shootout.json");
    public static string DatasourceProvisioning => File("infra/grafana/provisioning/datasources/prometheus.yml");
    public static string DashboardProvisioning => File("infra/grafana/provisioning/dashboards/shootout.yml");

    /// <summary>bin/shootout-server or bin/shootout-loadgen, published by `make build` (make test runs it first).</summary>
    public static string Built(string name) => RepoPaths.Built(name);

    /// <summary>A tool from PATH (Debian packages: docker-compose, prometheus, prometheus-node-exporter).</summary>
    public static string Tool(string name, string debianPackage)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/bin").Append("/usr/sbin"))
        {
            string candidate = Path.Combine(dir, name);
            if (System.IO.File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException($"'{name}' not found on PATH: install the Debian package '{debianPackage}' (apt-get install --no-install-recommends {debianPackage})");
    }
}
