package dev.holdport.config;

/**
 * One backend of a route ({@code holdport.routes.<route>.slots.<slot>}).
 *
 * @param name    the slot's name, {@code [a-z0-9-]+} ({@code a} and {@code b} by convention)
 * @param address where the slot's process listens
 * @param path    the slot's install path; may be empty (metadata, reported in status)
 */
public record SlotConfig(String name, HostPort address, String path) {}
