import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Draws the end-to-end benchmark chart when matplotlib is not installed: panels of grouped bars, Runnel beside
 * Kafka, side by side in one PNG. Runs as a single-file program on the JDK, headless:
 *
 * <pre>java -Djava.awt.headless=true bench/e2e/Chart.java chart.tsv chart.png</pre>
 *
 * Input, one bar pair per line, tab-separated: panel title, log scale (0 or 1), category, Runnel value, Kafka
 * value. Panels appear in the order of their first line. Single-threaded; writes only the output file.
 */
public class Chart {
    private static final int PANEL_WIDTH = 560;
    private static final int HEIGHT = 520;
    private static final int TOP = 40;
    private static final int BOTTOM = 170;
    private static final int LEFT = 70;
    private static final Color RUNNEL = new Color(0xd9, 0x5f, 0x02);
    private static final Color KAFKA = new Color(0x1b, 0x9e, 0x77);

    record Bar(String category, double runnel, double kafka) {}

    record Panel(String title, boolean log, List<Bar> bars) {}

    public static void main(String[] args) throws Exception {
        Map<String, Panel> panels = new LinkedHashMap<>();
        for (String line : Files.readAllLines(new File(args[0]).toPath())) {
            String[] f = line.split("\t");
            if (f.length < 5) {
                continue;
            }
            panels.computeIfAbsent(f[0], t -> new Panel(t, f[1].equals("1"), new ArrayList<>()))
                    .bars().add(new Bar(f[2], Double.parseDouble(f[3]), Double.parseDouble(f[4])));
        }
        BufferedImage image = new BufferedImage(PANEL_WIDTH * Math.max(1, panels.size()), HEIGHT,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), HEIGHT);
        int x = 0;
        for (Panel panel : panels.values()) {
            draw(g, panel, x);
            x += PANEL_WIDTH;
        }
        g.dispose();
        ImageIO.write(image, "png", new File(args[1]));
    }

    private static void draw(Graphics2D g, Panel panel, int originX) {
        int plotLeft = originX + LEFT;
        int plotWidth = PANEL_WIDTH - LEFT - 20;
        int plotBottom = HEIGHT - BOTTOM;
        int plotHeight = plotBottom - TOP;
        double max = 0;
        double min = Double.MAX_VALUE;
        for (Bar bar : panel.bars()) {
            max = Math.max(max, Math.max(bar.runnel(), bar.kafka()));
            for (double v : new double[] {bar.runnel(), bar.kafka()}) {
                if (v > 0) {
                    min = Math.min(min, v);
                }
            }
        }
        if (max <= 0) {
            max = 1;
        }
        // Log axes span whole decades so that the tick labels are powers of ten.
        double lo = 0;
        double hi;
        int ticks;
        if (panel.log()) {
            double smallest = Math.log10(Math.min(min, max));
            lo = Math.floor(smallest) == smallest ? smallest - 1 : Math.floor(smallest);
            hi = Math.max(lo + 1, Math.ceil(Math.log10(max) + 1e-9));
            ticks = (int) (hi - lo);
        } else {
            double step = niceStep(max * 1.05 / 5);
            ticks = (int) Math.ceil(max * 1.05 / step);
            hi = step * ticks;
        }
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(panel.title(), plotLeft, TOP - 15);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.setColor(Color.LIGHT_GRAY);
        g.setStroke(new BasicStroke(1f));
        for (int i = 0; i <= ticks; i++) {
            int y = plotBottom - (int) Math.round((double) i / ticks * plotHeight);
            g.setColor(Color.LIGHT_GRAY);
            g.drawLine(plotLeft, y, plotLeft + plotWidth, y);
            double value = panel.log() ? Math.pow(10, lo + i) : hi * i / ticks;
            g.setColor(Color.DARK_GRAY);
            g.drawString(label(value), originX + 5, y + 4);
        }
        int n = Math.max(1, panel.bars().size());
        double slot = (double) plotWidth / n;
        int barWidth = (int) Math.max(2, slot * 0.38);
        for (int i = 0; i < panel.bars().size(); i++) {
            Bar bar = panel.bars().get(i);
            int center = plotLeft + (int) (slot * i + slot / 2);
            bar(g, center - barWidth, barWidth, height(bar.runnel(), panel.log(), lo, hi, plotHeight), plotBottom,
                    RUNNEL);
            bar(g, center, barWidth, height(bar.kafka(), panel.log(), lo, hi, plotHeight), plotBottom, KAFKA);
            AffineTransform saved = g.getTransform();
            g.translate(center + 4, plotBottom + 8);
            g.rotate(Math.toRadians(60));
            g.setColor(Color.BLACK);
            g.drawString(bar.category(), 0, 0);
            g.setTransform(saved);
        }
        g.setColor(Color.BLACK);
        g.drawLine(plotLeft, plotBottom, plotLeft + plotWidth, plotBottom);
        legend(g, plotLeft + plotWidth - 110, TOP + 5);
    }

    private static int height(double value, boolean log, double lo, double hi, int plotHeight) {
        if (value <= 0) {
            return 0;
        }
        double fraction = log ? (Math.log10(value) - lo) / (hi - lo) : value / hi;
        return (int) Math.round(Math.max(0, Math.min(1, fraction)) * plotHeight);
    }

    private static void bar(Graphics2D g, int x, int width, int height, int bottom, Color color) {
        g.setColor(color);
        g.fillRect(x, bottom - height, width, height);
    }

    private static void legend(Graphics2D g, int x, int y) {
        g.setColor(RUNNEL);
        g.fillRect(x, y, 12, 12);
        g.setColor(Color.BLACK);
        g.drawString("Runnel", x + 18, y + 11);
        g.setColor(KAFKA);
        g.fillRect(x, y + 18, 12, 12);
        g.setColor(Color.BLACK);
        g.drawString("Kafka 4.3.1", x + 18, y + 29);
    }

    /** The smallest of 1, 2 or 5 times a power of ten that is at least raw. */
    private static double niceStep(double raw) {
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * power >= raw) {
                return m * power;
            }
        }
        return 10 * power;
    }

    private static String label(double value) {
        if (value >= 1000) {
            return String.format("%,.0f", value);
        }
        return value >= 10 || value == 0 ? String.format("%.0f", value) : String.format("%.2g", value);
    }
}
