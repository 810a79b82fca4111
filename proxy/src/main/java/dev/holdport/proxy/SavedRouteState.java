package dev.holdport.proxy;

/** What the state file keeps of a route: its active slot and whether it is paused. */
record SavedRouteState(String active, boolean paused) {}
