package dev.holdport.bench.run;

import dev.holdport.bench.load.LoadClient;
import dev.holdport.bench.process.ChildProcess;
import dev.holdport.bench.process.CpuLayout;
import dev.holdport.bench.process.CpuSet;
import dev.holdport.bench.process.FreePorts;
import dev.holdport.bench.process.PidFile;
import dev.holdport.bench.process.PortProbe;
import dev.holdport.bench.process.Programs;
import dev.holdport.bench.report.MachineInfo;
import dev.holdport.bench.report.Results;
import dev.holdport.bench.scenario.BulkThroughput;
import dev.holdport.bench.scenario.DeployUnderLoad;
import dev.holdport.bench.scenario.HoldCapacity;
import dev.holdport.bench.scenario.Iperf3Throughput;
import dev.holdport.bench.scenario.KeepAliveRequests;
import dev.holdport.bench.scenario.NewConnectionRequests;
import dev.holdport.bench.scenario.Scenario;
import dev.holdport.bench.scenario.WrkHttp;
import dev.holdport.bench.target.DirectTarget;
import dev.holdport.bench.target.HaproxyTarget;
import dev.holdport.bench.target.HoldportTarget;
import dev.holdport.bench.target.LaunchContext;
import dev.holdport.bench.target.NginxTarget;
import dev.holdport.bench.target.Route;
import dev.holdport.bench.target.Target;
import dev.holdport.bench.target.TargetUnavailable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code run}: starts the backends and every target, runs the chosen scenarios (each interleaved
 * across targets, round by round), prints the results table and writes the .md, .json and .png
 * results files. Everything it starts is stopped by PID at the end, also on SIGINT/SIGTERM.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Measure holdport side by side with a direct connection, HAProxy and nginx.")
public final class RunCommand implements Callable<Integer> {

    static final List<String> ALL_TARGETS = List.of("direct", "holdport", "haproxy", "nginx");

    @Parameters(arity = "0..*", paramLabel = "SCENARIO",
            description = "bulk, keepalive, newconn, hold, deploy, iperf3, wrk (default: all, in that order)")
    List<String> scenarioNames = new ArrayList<>();

    @Option(names = "--quick", description = "smoke run: 1 round, under a second per measurement")
    boolean quick;

    @Option(names = "--rounds", description = "rounds per scenario (default: 3; 1 with --quick)")
    Integer rounds;

    @Option(names = "--seconds", description = "measured seconds per measurement (default: 8; 0.6 with --quick)")
    Double seconds;

    @Option(names = "--warmup", description = "warm-up seconds before each measurement (default: 2; 0.2 with --quick)")
    Double warmup;

    @Option(names = "--rate", description = "fixed rate for keep-alive latency, requests/s (default: 10000; 5000 with --quick)")
    Double rate;

    @Option(names = "--hold", split = ",", description = "connections to hold, per step (default: 10000,50000; 1000 with --quick)")
    List<Integer> holdSteps;

    @Option(names = "--targets", split = ",", description = "subset of: direct, holdport, haproxy, nginx (default: all)")
    List<String> targetNames = new ArrayList<>(ALL_TARGETS);

    @Option(names = "--holdport-jar", defaultValue = "admin-api/target/holdport.jar", description = "holdport's shaded jar")
    Path holdportJar;

    @Option(names = "--out", description = "directory for the results files (default: benchmarks/results)")
    Path out;

    @Option(names = "--work-dir", description = "directory for generated configs and logs (default: a new temp dir)")
    Path workDir;

    @Option(names = "--pid-file", description = "file listing the PIDs of running children (read by run.sh's trap)")
    Path pidFile;

    @Option(names = "--client-threads", defaultValue = "2", description = "load generator event loops (default: ${DEFAULT-VALUE})")
    int clientThreads;

    @Option(names = "--proxy-cpus", paramLabel = "LIST",
            description = "run the proxies (holdport, HAProxy, nginx) on these CPUs only, e.g. 1 or 2-3, and everything else"
                    + " (load generator, backends, iperf3, wrk) on the others (default: no pinning)")
    String proxyCpus;

    @Option(names = "--load-cpus", paramLabel = "LIST",
            description = "with --proxy-cpus: the CPUs for everything else (default: every CPU the proxies do not have)")
    String loadCpus;

    @Spec
    CommandSpec spec;

    private final List<AutoCloseable> started = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        RunSettings settings = settings();
        List<Scenario> scenarios = scenarios();
        CpuLayout layout = cpuLayout();
        boolean ownWorkDir = workDir == null;
        if (ownWorkDir) {
            workDir = Files.createTempDirectory("holdport-bench-");
        }
        Files.createDirectories(workDir);
        PidFile pids = new PidFile(pidFile != null ? pidFile : workDir.resolve("pids"));
        Thread stopper = new Thread(this::stopAll, "stop-children");
        Runtime.getRuntime().addShutdownHook(stopper);
        Progress progress = new Progress();
        MachineInfo machine = MachineInfo.detect(); // before pinning: the machine's cores, not the load's
        Map<String, Object> described = settings.describe();
        if (layout != null) {
            layout.pinThisProcess(); // before any child starts: they inherit it
            described.put("proxy CPUs", layout.proxies().toString());
            described.put("load CPUs", CpuSet.allowedFor("self").toString()); // as the kernel has it now
        }
        Results results = new Results(machine, described);
        try {
            RunContext context = startEverything(settings, results, pids, progress, layout);
            WarmUp.run(context);
            for (Scenario scenario : scenarios) {
                scenario.run(context);
            }
            progress.done();
        } finally {
            stopAll();
            Runtime.getRuntime().removeShutdownHook(stopper);
        }
        Path outDir = out != null ? out : Path.of(quick ? "benchmarks/target/quick-results" : "benchmarks/results");
        ReportFiles.Written written = ReportFiles.write(results, outDir);
        System.out.println(written.markdown());
        System.err.println("results: " + written.files());
        if (ownWorkDir) {
            System.err.println("generated configs and server logs: " + workDir); // run.sh manages its own
        }
        return results.getErrors().isEmpty() ? 0 : 1;
    }

    private RunContext startEverything(RunSettings settings, Results results, PidFile pids, Progress progress, CpuLayout layout) {
        FreePorts ports = new FreePorts();
        Map<Route, Integer> backendPorts = new EnumMap<>(Route.class);
        for (Route route : List.of(Route.ECHO, Route.BULK, Route.HTTP, Route.DEPLOY)) {
            backendPorts.put(route, ports.next());
        }
        progress.note("starting backends");
        BackendProcess backend = new BackendProcess("backend", Map.of("echo", backendPorts.get(Route.ECHO),
                "bulk", backendPorts.get(Route.BULK), "http", backendPorts.get(Route.HTTP)), workDir, pids);
        started.add(backend);
        backend.start();
        BackendProcess deployBackend = new BackendProcess("deploy-backend", Map.of("echo", backendPorts.get(Route.DEPLOY)),
                workDir, pids);
        started.add(deployBackend);
        deployBackend.start();
        Programs.find("iperf3").ifPresent(iperf3 -> {
            int port = ports.next();
            ChildProcess server = ChildProcess.start("iperf3-server",
                    List.of(iperf3.toString(), "-s", "-B", "127.0.0.1", "-p", Integer.toString(port)),
                    workDir.resolve("iperf3-server.log"), pids);
            started.add(server);
            PortProbe.awaitListening(port, Duration.ofSeconds(10), server::isAlive, "iperf3 server");
            backendPorts.put(Route.IPERF, port);
        });

        LaunchContext launch = new LaunchContext(workDir, pids, ports, backendPorts, layout);
        List<Target> targets = new ArrayList<>();
        HoldportTarget holdport = null;
        for (String name : ALL_TARGETS) {
            if (!targetNames.contains(name)) {
                results.skip(name, "not selected (--targets)");
                continue;
            }
            progress.note("starting " + name);
            try {
                Target target = switch (name) {
                    case "direct" -> new DirectTarget(backendPorts);
                    case "holdport" -> HoldportTarget.start(launch, holdportJar.toAbsolutePath());
                    case "haproxy" -> HaproxyTarget.start(launch);
                    default -> NginxTarget.start(launch);
                };
                started.add(target);
                targets.add(target);
                results.addTarget(name);
                if (target instanceof HoldportTarget h) {
                    holdport = h;
                }
                if (layout != null) {
                    checkPinned(name, target, layout.proxies(), results);
                }
            } catch (TargetUnavailable e) {
                results.skip(name, e.getMessage());
                progress.note(name + ": SKIPPED, " + e.getMessage());
            }
        }
        LoadClient client = new LoadClient(clientThreads);
        started.add(client);
        return new RunContext(settings, results, client, targets, holdport, deployBackend, workDir, pids, progress);
    }

    /** Null without {@code --proxy-cpus}; a bad list is the user's error, said before anything starts. */
    private CpuLayout cpuLayout() {
        if (proxyCpus == null) {
            if (loadCpus != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--load-cpus needs --proxy-cpus");
            }
            return null;
        }
        try {
            return CpuLayout.of(proxyCpus, loadCpus);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** The results say where each proxy really ran: taskset's word is checked, not assumed. */
    private static void checkPinned(String name, Target target, CpuSet wanted, Results results) {
        if (target.pid().isEmpty()) {
            return; // direct: no proxy process
        }
        try {
            CpuSet actual = CpuSet.allowedFor(Long.toString(target.pid().getAsLong()));
            if (!actual.equals(wanted)) {
                results.error(name + " runs on CPUs " + actual + ", not on --proxy-cpus " + wanted);
            }
        } catch (UncheckedIOException e) {
            results.error(name + " ended before its CPUs could be checked");
        }
    }

    private RunSettings settings() {
        RunSettings s = quick ? RunSettings.quickRun() : RunSettings.fullRun();
        if (rounds != null) {
            s = s.withRounds(rounds);
        }
        if (seconds != null || warmup != null) {
            s = s.withTiming(warmup != null ? Duration.ofMillis((long) (warmup * 1000)) : s.warmup(),
                    seconds != null ? Duration.ofMillis((long) (seconds * 1000)) : s.measure());
        }
        if (rate != null) {
            s = s.withKeepAliveRate(rate);
        }
        if (holdSteps != null) {
            s = s.withHoldSteps(holdSteps);
        }
        return s;
    }

    private List<Scenario> scenarios() {
        List<Scenario> all = List.of(new BulkThroughput(), new KeepAliveRequests(), new NewConnectionRequests(),
                new HoldCapacity(), new DeployUnderLoad(), new Iperf3Throughput(), new WrkHttp());
        if (scenarioNames.isEmpty()) {
            return all;
        }
        List<Scenario> chosen = new ArrayList<>();
        for (String name : scenarioNames) {
            chosen.add(all.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow(() ->
                    new IllegalArgumentException("unknown scenario '" + name + "'; choose from "
                            + all.stream().map(Scenario::name).toList())));
        }
        return chosen;
    }

    /** Stops everything started, newest first; safe to call twice (end of run and shutdown hook). */
    private synchronized void stopAll() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                System.err.println("while stopping: " + e.getMessage());
            }
        }
        started.clear();
    }
}
