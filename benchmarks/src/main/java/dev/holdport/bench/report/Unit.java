package dev.holdport.bench.report;

/** The unit a figure is stored in (JSON keeps raw values) and how tables show it. */
public enum Unit {
    BYTES_PER_SECOND("Gbit/s", 8e-9, 2),
    BYTES_PER_CPU_SECOND("GB per CPU-s", 1e-9, 2),
    PER_SECOND("k/s", 1e-3, 1),
    NANOSECONDS("µs", 1e-3, 0);

    private final String display;
    private final double scale;
    private final int decimals;

    Unit(String display, double scale, int decimals) {
        this.display = display;
        this.scale = scale;
        this.decimals = decimals;
    }

    public String display() {
        return display;
    }

    public double toDisplay(double raw) {
        return raw * scale;
    }

    public String format(double raw) {
        if (Double.isNaN(raw)) {
            return "–";
        }
        return String.format(java.util.Locale.ROOT, "%,." + decimals + "f", toDisplay(raw));
    }
}
