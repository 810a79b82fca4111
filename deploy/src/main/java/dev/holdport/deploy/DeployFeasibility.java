package dev.holdport.deploy;

/** Whether a deploy can be done at all with these slots, decided before anything is touched. */
final class DeployFeasibility {

    private DeployFeasibility() {}

    /** The checks that make a deploy impossible whatever happens, before anything is touched. */
    static void check(SupervisedRoute route, DeployMode mode, String from, String to) {
        String name = route.name();
        boolean fromSupervised = route.process(from).isPresent();
        boolean toSupervised = route.process(to).isPresent();
        switch (mode) {
            case SWITCH:
            case EXCLUSIVE:
                if (to.equals(from)) {
                    throw new InvalidDeployException("route " + name + ": slot " + to + " is already active; " + mode.label()
                            + " moves traffic to another slot (to redeploy " + to + " in place, use mode restart)");
                }
                if (mode == DeployMode.EXCLUSIVE && !fromSupervised) {
                    throw new InvalidDeployException("route " + name + ": exclusive stops slot " + from
                            + ", which has no start command in the config, so holdport could not start it again on rollback");
                }
                if (mode == DeployMode.EXCLUSIVE && !toSupervised) {
                    throw new InvalidDeployException("route " + name + ": exclusive starts slot " + to
                            + ", which has no start command in the config");
                }
                break;
            case RESTART:
                if (!to.equals(from)) {
                    throw new InvalidDeployException("route " + name + ": restart redeploys the active slot (" + from
                            + ") in place; to deploy slot " + to + " use mode switch or exclusive");
                }
                if (!toSupervised) {
                    throw new InvalidDeployException("route " + name + ": restart needs a start command for slot " + to
                            + " in the config");
                }
                break;
            default:
                throw new IllegalStateException("unknown mode " + mode);
        }
    }
}
