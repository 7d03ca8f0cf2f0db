/** Every image tag in the `turnbench/` namespace (the base image and built task images). */
export async function listTurnbenchImages(docker) {
    const images = await docker.listImages({ filters: { reference: ['turnbench/*'] } });
    return images
        .flatMap((img) => (img.RepoTags ?? [])
        .filter((tag) => tag.startsWith('turnbench/'))
        .map((tag) => ({
        tag,
        id: img.Id.replace(/^sha256:/, '').slice(0, 12),
        sizeBytes: img.Size,
        created: new Date(img.Created * 1000),
    })))
        .sort((a, b) => a.tag.localeCompare(b.tag));
}
//# sourceMappingURL=image-list.js.map