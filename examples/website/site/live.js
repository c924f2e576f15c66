// Live reload: the gateway sends one server-sent event per file that changes in the drive
// (`GET` with `Accept: text/event-stream`, which EventSource asks for) on the drive's own origin.
const changes = new EventSource('/')
changes.onopen = () => (document.documentElement.dataset.live = 'open')
changes.onmessage = (event) => {
  const { path, version } = JSON.parse(event.data)
  console.log(`${path} changed (version ${version}): reloading`)
  changes.close()
  location.reload()
}
