package dev.holdport.admin.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** Collects a child process's output as it comes, so a test can wait for a line while it runs. */
public final class ChildOutput {

    private final StringBuffer text = new StringBuffer();
    private Thread reader;

    private ChildOutput() {}

    public static ChildOutput collect(InputStream stream) {
        ChildOutput output = new ChildOutput();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    output.text.append(line).append('\n');
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "child-output");
        reader.setDaemon(true);
        reader.start();
        output.reader = reader;
        return output;
    }

    /** Waits until the process has closed the stream (it has ended), then returns everything it wrote. */
    public String awaitEnd() throws InterruptedException {
        reader.join(30_000);
        return text();
    }

    public String text() {
        return text.toString();
    }

    public boolean contains(String s) {
        return text.indexOf(s) >= 0;
    }
}
