export function statusCode(err) {
    const code = err?.statusCode;
    return typeof code === 'number' ? code : undefined;
}
export async function imageExists(docker, name) {
    try {
        await docker.getImage(name).inspect();
        return true;
    }
    catch (err) {
        if (statusCode(err) === 404)
            return false;
        throw err;
    }
}
/** Adds `target` (`repo:tag`) as another name for image `source`. */
export async function tagImage(docker, source, target) {
    const colon = target.lastIndexOf(':');
    await docker.getImage(source).tag({ repo: target.slice(0, colon), tag: target.slice(colon + 1) });
}
//# sourceMappingURL=image-util.js.map