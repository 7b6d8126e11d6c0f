// Command dsgen regenerates gen/ from the DocuSign specs pinned in
// api/specs.lock.json. With -check it regenerates in memory and fails,
// listing the differences, when gen/ is not what generation produces.
package main
