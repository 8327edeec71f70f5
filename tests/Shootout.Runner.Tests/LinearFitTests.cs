using Shootout.Runner.Run;

namespace Shootout.Runner.Tests;

public sealed class LinearFitTests
{
    [Fact]
    public void Points_on_a_line_give_its_slope_and_intercept_with_r2_of_1()
    {
        // 20 MiB fixed, 9,000 bytes per connection: a thread per connection.
        var points = Enumerable.Range(0, 11).Select(i => (X: i * 1000.0, Y: 20.0 * 1048576 + 9000.0 * i * 1000)).ToList();
        var fit = LinearFit.Of(points)!;
        Assert.Equal(9000, fit.Slope, 6);
        Assert.Equal(20.0 * 1048576, fit.Intercept, 3);
        Assert.Equal(1, fit.RSquared, 9);
        Assert.Equal(11, fit.Points);
        Assert.Equal(20.0 * 1048576 + 9000.0 * 5000, fit.At(5000), 3);
    }

    [Fact]
    public void Scatter_around_the_line_keeps_the_slope_close_and_lowers_r2_below_1()
    {
        var rng = new Random(15);
        var points = Enumerable.Range(0, 200).Select(i => (X: i * 100.0, Y: 1e6 + 700.0 * i * 100 + (rng.NextDouble() - 0.5) * 2e6)).ToList();
        var fit = LinearFit.Of(points)!;
        Assert.InRange(fit.Slope, 650, 750);
        Assert.InRange(fit.RSquared, 0.5, 0.9999);
    }

    [Fact]
    public void The_r2_is_the_share_of_the_variance_the_line_explains()
    {
        // (0,0) (1,2) (2,1): slope 0.5, intercept 0.5; residuals -0.5, 1, -0.5 -> SSres 1.5; SStot 2 -> R² 0.25.
        var fit = LinearFit.Of([(0, 0), (1, 2), (2, 1)])!;
        Assert.Equal(0.5, fit.Slope, 9);
        Assert.Equal(0.5, fit.Intercept, 9);
        Assert.Equal(0.25, fit.RSquared, 9);
    }

    [Fact]
    public void Nothing_to_fit_gives_no_line_and_a_flat_cost_is_an_exact_fit()
    {
        Assert.Null(LinearFit.Of([]));
        Assert.Null(LinearFit.Of([(100, 5)]));
        Assert.Null(LinearFit.Of([(100, 5), (100, 7)])); // every sample at the same load: no slope
        var flat = LinearFit.Of([(0, 3), (10, 3), (20, 3)])!;
        Assert.Equal(0, flat.Slope, 9);
        Assert.Equal(3, flat.Intercept, 9);
        Assert.Equal(1, flat.RSquared, 9);
    }
}
