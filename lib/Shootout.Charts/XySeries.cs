namespace Shootout.Charts;

/// <summary>
/// A line (or, with <paramref name="Markers"/>, a scatter) of (x, y) points; <paramref name="Dashed"/> for
/// fitted lines and secondary figures.
/// </summary>
public sealed record XySeries(string Name, IReadOnlyList<(double X, double Y)> Points, string Color, bool Markers = false, bool Dashed = false);
