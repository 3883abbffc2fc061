// The digit pad's drawing square (cnnviz.widgets.digit_pad): the page draws the ink itself
// while the pointer moves, and sends each finished stroke to Python when the button goes up.
//
// State, synced from Python (the authority; a page opened later draws the same):
//   size, brush   the square's side and the pen's radius, in pixels
//   strokes       the drawing: [[[x, y], ...], ...] in the square's pixels
//   handled       {view id: number of the last stroke Python took from that view}
//   label         the text a screen reader reads for the square
// Message to Python at pen-up: {event: 'stroke', view, seq, points: [[x, y], ...]}.
// Python draws it into its raster, classifies it and adds it to `strokes` (or refuses it with
// a message beside the square); either way it says so in `handled`.

const MIN_STEP = 1; // pointer moves closer than this to the last point (pixels) are skipped

function rounded(value) {
  return Math.round(value * 10) / 10;
}

export default {
  render({ model, el }) {
    const canvas = document.createElement('canvas');
    const view = Math.random().toString(36).slice(2, 10) + Date.now().toString(36);
    let seq = 0;
    let pending = []; // strokes sent to Python, not yet handled: [{seq, points}]
    let current = null; // the stroke under the pointer: [[x, y], ...]
    let pointer = null; // the id of the pointer drawing it
    const ctx = canvas.getContext('2d');

    canvas.setAttribute('role', 'img');
    canvas.style.display = 'block';
    canvas.style.touchAction = 'none'; // a finger draws instead of scrolling the page
    canvas.style.cursor = 'crosshair';
    canvas.style.background = 'white';
    el.appendChild(canvas);

    function line(points) {
      const radius = model.get('brush');
      if (points.length === 1) {
        ctx.beginPath();
        ctx.arc(points[0][0], points[0][1], radius, 0, 2 * Math.PI);
        ctx.fill();
        return;
      }
      ctx.beginPath();
      ctx.moveTo(points[0][0], points[0][1]);
      for (const [x, y] of points.slice(1)) ctx.lineTo(x, y);
      ctx.stroke();
    }

    function paint() {
      const size = model.get('size');
      const scale = window.devicePixelRatio || 1;
      const backing = Math.round(size * scale);
      if (canvas.width !== backing || canvas.height !== backing) {
        canvas.width = canvas.height = backing; // crisp on high-density screens
      }
      canvas.style.width = canvas.style.height = size + 'px';
      ctx.setTransform(scale, 0, 0, scale, 0, 0);
      ctx.fillStyle = 'white';
      ctx.fillRect(0, 0, size, size);
      ctx.fillStyle = ctx.strokeStyle = 'black';
      ctx.lineWidth = 2 * model.get('brush');
      ctx.lineCap = ctx.lineJoin = 'round';
      for (const points of model.get('strokes')) if (points.length) line(points);
      for (const stroke of pending) line(stroke.points);
      if (current) line(current);
      canvas.setAttribute('aria-label', model.get('label'));
    }

    function onState() {
      const done = model.get('handled')[view];
      if (typeof done === 'number') pending = pending.filter((stroke) => stroke.seq > done);
      paint();
    }

    function at(event) {
      // The square's own pixels, however the page is zoomed (a projector template scales it).
      const box = canvas.getBoundingClientRect();
      const size = model.get('size');
      return [
        rounded(((event.clientX - box.left) * size) / (box.width || size)),
        rounded(((event.clientY - box.top) * size) / (box.height || size)),
      ];
    }

    function extend(point) {
      const last = current[current.length - 1];
      if (Math.hypot(point[0] - last[0], point[1] - last[1]) < MIN_STEP) return;
      current.push(point);
      line([last, point]);
    }

    function finish(event) {
      if (current === null || (event && event.pointerId !== pointer)) return;
      if (event && event.type === 'pointerup') {
        const point = at(event);
        const last = current[current.length - 1];
        if (point[0] !== last[0] || point[1] !== last[1]) extend(point);
      }
      seq += 1;
      pending.push({ seq, points: current });
      model.send({ event: 'stroke', view, seq, points: current });
      current = pointer = null;
    }

    canvas.addEventListener('pointerdown', (event) => {
      if (event.button !== 0 || current !== null) return;
      event.preventDefault(); // no text selection, no scrolling
      pointer = event.pointerId;
      // Held: the stroke goes on outside the square and back in until the button goes up.
      canvas.setPointerCapture(pointer);
      current = [at(event)];
      line(current);
    });
    canvas.addEventListener('pointermove', (event) => {
      if (current === null || event.pointerId !== pointer) return;
      const moves = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
      for (const move of moves.length ? moves : [event]) extend(at(move));
    });
    canvas.addEventListener('pointerup', finish);
    canvas.addEventListener('pointercancel', finish);
    canvas.addEventListener('lostpointercapture', finish);

    model.on('change:strokes', onState);
    model.on('change:handled', onState);
    model.on('change:label', paint);
    model.on('change:size', paint);
    model.on('change:brush', paint);
    paint();
    return () => {
      model.off('change:strokes', onState);
      model.off('change:handled', onState);
      model.off('change:label', paint);
      model.off('change:size', paint);
      model.off('change:brush', paint);
    };
  },
};
