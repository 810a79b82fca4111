package dev.holdport.admin;

import dev.holdport.admin.cli.CancelCommand;
import dev.holdport.admin.cli.CheckConfigCommand;
import dev.holdport.admin.cli.DemoCommand;
import dev.holdport.admin.cli.DeployCommand;
import dev.holdport.admin.cli.DrainCommand;
import dev.holdport.admin.cli.PauseCommand;
import dev.holdport.admin.cli.ResumeCommand;
import dev.holdport.admin.cli.RollbackCommand;
import dev.holdport.admin.cli.RunCommand;
import dev.holdport.admin.cli.StatusCommand;
import dev.holdport.admin.cli.SwitchCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code holdport} command: the server ({@code run}, {@code demo}), the config checker, and
 * the client commands that deploy scripts and people use to drive a running holdport.
 *
 * <p>Exit codes are a contract for scripts: {@link #OK}, {@link #REFUSED}, {@link #USAGE},
 * {@link #UNREACHABLE}.
 */
@Command(
        name = "holdport",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "A pausing reverse-proxy front process: holds a service's port across deploys.",
        subcommands = {
            RunCommand.class,
            CheckConfigCommand.class,
            StatusCommand.class,
            PauseCommand.class,
            ResumeCommand.class,
            SwitchCommand.class,
            DrainCommand.class,
            DeployCommand.class,
            RollbackCommand.class,
            CancelCommand.class,
            DemoCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done",
            "1:the admin API refused (its detail is printed); deploy, rollback: the deploy did not succeed",
            "2:usage or configuration error",
            "3:cannot reach the admin API"
        })
public final class Main implements Callable<Integer> {

    /** Done. */
    public static final int OK = 0;
    /** The admin API answered with an error; a deploy rolled back, failed or was cancelled; or holdport failed at run time. */
    public static final int REFUSED = 1;
    /** A usage or configuration error. */
    public static final int USAGE = 2;
    /** Nothing answered at the admin API's address. */
    public static final int UNREACHABLE = 3;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs one command line and returns its exit code (tests call this in-process). */
    public static int execute(String... args) {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("holdport: " + cmd.getCommandName() + " failed: " + e);
            e.printStackTrace(cmd.getErr());
            return REFUSED;
        });
        return commandLine.execute(args);
    }

    /** {@code holdport} alone: show what it can do. */
    @Override
    public Integer call() {
        new CommandLine(this).usage(System.err);
        return USAGE;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"holdport " + (version == null ? "(development build)" : version)};
        }
    }
}
