/** The contract every sandbox implementation (Docker, local) fulfils. */
export {};
//# sourceMappingURL=types.js.map