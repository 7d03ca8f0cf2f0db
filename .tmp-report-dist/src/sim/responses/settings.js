function formatKey(format) {
    if (format === undefined || format === null)
        return null;
    if (typeof format === 'object' && format.type === 'text')
        return null;
    return JSON.stringify(format);
}
export function cacheSettings(body) {
    const create = body;
    return {
        model: body.model,
        promptCacheKey: body.prompt_cache_key ?? null,
        retention: body.prompt_cache_retention ?? null,
        ttl: body.prompt_cache_options?.ttl,
        mode: body.prompt_cache_options?.mode ?? 'implicit',
        reasoningEffort: create.reasoning?.effort ?? null,
        textFormat: formatKey(create.text?.format),
        verbosity: create.text?.verbosity ?? null,
        serviceTier: create.service_tier ?? null,
    };
}
//# sourceMappingURL=settings.js.map