// The playground page: controls that send settings to the server, and the drawing of the
// frames it sends back.  The network and its training live in Python (scratchnn's NumPy
// engine); this page only draws.
"use strict";

const FEATURES = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"];
const SETTINGS = ["learning_rate", "activation", "optimizer", "l2", "dropout", "dataset",
                  "train_ratio", "noise", "batch_size"];
const NUMBERS = new Set(["learning_rate", "l2", "dropout", "train_ratio", "noise",
                         "batch_size"]);
const state = { socket: null, session: null, config: null, points: null, losses: [],
                frame: null, waiting: [] };
const $ = (id) => document.getElementById(id);

// -- talking to the server ------------------------------------------------------------------
function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  // The token of the page's address, if it has one (else the cookie the server set).
  state.socket = new WebSocket(`${scheme}://${location.host}/ws${location.search}`);
  state.socket.onmessage = (event) => receive(JSON.parse(event.data));
  state.socket.onopen = () => {  // what the page asked for while it connected
    for (const message of state.waiting.splice(0)) state.socket.send(message);
  };
  state.socket.onclose = () => showError("The connection to the server closed: reload the page.");
}

function send(message) {
  if (state.socket.readyState === WebSocket.OPEN) {
    state.socket.send(JSON.stringify(message));
  } else if (state.socket.readyState === WebSocket.CONNECTING) {
    state.waiting.push(JSON.stringify(message));
  }
}

function configure(changes) {
  send({ type: "config", config: changes });
}

function receive(message) {
  if (message.type === "hello") {
    if (message.session) {
      state.session = message.session;
      $("download").href = `/model/${message.session}${location.search}`;
      document.body.dataset.session = message.session;
    }
    state.config = message.config;
    state.points = message.points;
    hideError();
    showConfig();
    buildDiagram();
  } else if (message.type === "frame") {
    drawFrame(message);
  } else if (message.type === "code") {
    $("code").textContent = message.code;
    $("code").hidden = false;
  } else if (message.type === "error") {
    showError(message.message);
    showConfig();  // the controls go back to what the server kept
  }
}

function showError(text) {
  $("error").textContent = text;
  $("error").hidden = false;
}

function hideError() {
  $("error").hidden = true;
}

// -- controls -------------------------------------------------------------------------------
function showConfig() {
  for (const name of SETTINGS) {
    const element = $(name);
    element.value = String(state.config[name]);
    const label = $(`${name}_value`);
    if (label) label.textContent = element.value;
  }
  const count = state.config.hidden.length;
  $("layer-count").textContent = `${count} hidden layer${count === 1 ? "" : "s"}`;
}

function wireControls() {
  $("play").onclick = () => send({ type: "play" });
  $("pause").onclick = () => send({ type: "pause" });
  $("step").onclick = () => send({ type: "step" });
  $("reset").onclick = () => send({ type: "reset" });
  $("show-code").onclick = () => send({ type: "code" });
  for (const name of SETTINGS) {
    const element = $(name);
    element.addEventListener("input", () => {
      const label = $(`${name}_value`);
      if (label) label.textContent = element.value;
    });
    element.addEventListener("change", () => {
      const value = NUMBERS.has(name) ? Number(element.value) : element.value;
      configure({ [name]: value });
    });
  }
  $("add-layer").onclick = () => {
    if (state.config.hidden.length < 6) configure({ hidden: [...state.config.hidden, 2] });
  };
  $("remove-layer").onclick = () => {
    if (state.config.hidden.length > 0) configure({ hidden: state.config.hidden.slice(0, -1) });
  };
}

function changeNeurons(layer, change) {
  const hidden = [...state.config.hidden];
  hidden[layer] = Math.min(8, Math.max(1, hidden[layer] + change));
  configure({ hidden });
}

function toggleFeature(name) {
  const chosen = state.config.features;
  const features = chosen.includes(name) ? chosen.filter((f) => f !== name)
                                         : FEATURES.filter((f) => f === name || chosen.includes(f));
  if (features.length > 0) configure({ features });
}

// -- the network diagram --------------------------------------------------------------------
function unitElement(title) {
  const unit = document.createElement("div");
  unit.className = "unit";
  unit.title = title;
  unit.appendChild(document.createElement("canvas"));
  return unit;
}

function buildDiagram() {
  const columns = $("columns");
  columns.replaceChildren();
  state.units = [];  // per column, the unit elements in the network's order
  const inputs = document.createElement("div");
  inputs.className = "column";
  inputs.innerHTML = '<div class="title">Features</div>';
  const featureUnits = {};
  for (const name of FEATURES) {
    const unit = unitElement(name);
    unit.classList.add("feature");
    unit.dataset.testid = `feature-${name}`;
    if (state.config.features.includes(name)) unit.classList.add("on");
    const label = document.createElement("span");
    label.className = "feature-name";
    label.textContent = name;
    unit.appendChild(label);
    unit.onclick = () => toggleFeature(name);
    const values = state.points.features[name];
    const largest = Math.max(...values.map(Math.abs), 1e-9);
    drawPicture(unit.querySelector("canvas"), values, Math.sqrt(values.length),
                (v) => v / largest);
    featureUnits[name] = unit;
    inputs.appendChild(unit);
  }
  columns.appendChild(inputs);
  state.units.push(state.config.features.map((name) => featureUnits[name]));
  state.config.hidden.forEach((size, layer) => {
    const column = document.createElement("div");
    column.className = "column";
    column.innerHTML = `<div class="title">${size} neuron${size === 1 ? "" : "s"}<br>
      <span class="buttons"><button data-testid="add-neuron-${layer}">+</button>
      <button data-testid="remove-neuron-${layer}">&minus;</button></span></div>`;
    const [more, fewer] = column.querySelectorAll("button");
    more.onclick = () => changeNeurons(layer, 1);
    fewer.onclick = () => changeNeurons(layer, -1);
    const units = [];
    for (let j = 0; j < size; j += 1) {
      const unit = unitElement(`layer ${layer + 1}, neuron ${j + 1}`);
      column.appendChild(unit);
      units.push(unit);
    }
    state.units.push(units);
    columns.appendChild(column);
  });
  const output = document.createElement("div");
  output.className = "column";
  output.innerHTML = '<div class="title">Output</div>';
  const outputUnit = unitElement("output");
  output.appendChild(outputUnit);
  state.units.push([outputUnit]);
  columns.appendChild(output);
  buildLinks();
}

function centre(element, origin) {
  const box = element.getBoundingClientRect();
  return [box.left + box.width / 2 - origin.left, box.top + box.height / 2 - origin.top];
}

function buildLinks() {
  const svg = $("links");
  svg.replaceChildren();
  state.links = [];
  const origin = $("diagram").getBoundingClientRect();
  for (let layer = 0; layer + 1 < state.units.length; layer += 1) {
    const rows = [];
    state.units[layer + 1].forEach((to) => {
      const row = [];
      state.units[layer].forEach((from) => {
        const line = document.createElementNS("http://www.w3.org/2000/svg", "line");
        const [x1, y1] = centre(from, origin);
        const [x2, y2] = centre(to, origin);
        line.setAttribute("x1", x1 + 20); line.setAttribute("y1", y1);
        line.setAttribute("x2", x2 - 20); line.setAttribute("y2", y2);
        line.appendChild(document.createElementNS("http://www.w3.org/2000/svg", "title"));
        svg.appendChild(line);
        row.push(line);
      });
      rows.push(row);
    });
    state.links.push(rows);
  }
}

// -- drawing --------------------------------------------------------------------------------
const NEGATIVE = [245, 147, 34], ZERO = [232, 234, 235], POSITIVE = [8, 119, 189];

function colour(value) {
  const v = Math.max(-1, Math.min(1, value));
  const end = v < 0 ? NEGATIVE : POSITIVE;
  const t = Math.abs(v);
  return ZERO.map((c, i) => Math.round(c + (end[i] - c) * t));
}

function drawPicture(canvas, values, resolution, scale) {
  canvas.width = resolution;
  canvas.height = resolution;
  const context = canvas.getContext("2d");
  const image = context.createImageData(resolution, resolution);
  for (let row = 0; row < resolution; row += 1) {
    for (let column = 0; column < resolution; column += 1) {
      const [r, g, b] = colour(scale(values[row * resolution + column]));
      const at = 4 * ((resolution - 1 - row) * resolution + column);  // row 0 at the bottom
      image.data[at] = r; image.data[at + 1] = g; image.data[at + 2] = b; image.data[at + 3] = 255;
    }
  }
  context.putImageData(image, 0, 0);
}

function drawBoundary(frame) {
  const canvas = $("boundary");
  const size = canvas.width;
  const picture = document.createElement("canvas");
  drawPicture(picture, frame.boundary, frame.resolution, (p) => 2 * p - 1);
  const context = canvas.getContext("2d");
  context.imageSmoothingEnabled = true;
  context.drawImage(picture, 0, 0, size, size);
  const { low, high } = state.points;
  const place = (x, y) => [(x - low[0]) / (high[0] - low[0]) * size,
                           size - (y - low[1]) / (high[1] - low[1]) * size];
  for (const [set, rim] of [["train", "#fff"], ["test", "#000"]]) {
    for (const [x, y, label] of state.points[set]) {
      const [px, py] = place(x, y);
      context.beginPath();
      context.arc(px, py, 3.5, 0, 2 * Math.PI);
      context.fillStyle = `rgb(${colour(label ? 1 : -1).join(",")})`;
      context.fill();
      context.strokeStyle = rim;
      context.lineWidth = 1;
      context.stroke();
    }
  }
}

function drawLosses() {
  const canvas = $("loss-curve");
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  if (state.losses.length < 2) return;
  const last = state.losses[state.losses.length - 1][0] || 1;
  const top = Math.max(...state.losses.map(([, train, test]) => Math.max(train, test)), 1e-9);
  for (const [index, style] of [[1, "#333"], [2, "#999"]]) {
    context.beginPath();
    state.losses.forEach((entry, i) => {
      const x = (entry[0] / last) * (canvas.width - 2) + 1;
      const y = canvas.height - 2 - (entry[index] / top) * (canvas.height - 4);
      if (i === 0) context.moveTo(x, y); else context.lineTo(x, y);
    });
    context.strokeStyle = style;
    context.stroke();
  }
}

function drawFrame(frame) {
  state.frame = frame;
  $("epoch").textContent = String(frame.epoch);
  $("train-loss").textContent = frame.train_loss.toFixed(3);
  $("test-loss").textContent = frame.test_loss.toFixed(3);
  $("speed").textContent = frame.epochs_per_second ? `${frame.epochs_per_second} epochs/s` : "";
  for (const entry of frame.losses) {
    const previous = state.losses[state.losses.length - 1];
    if (previous && entry[0] <= previous[0]) state.losses = [];  // training started again
    state.losses.push(entry);
  }
  drawLosses();
  drawBoundary(frame);
  if (!state.units) return;
  frame.units.forEach((layer, hidden) => {
    const l = hidden + 1;  // column 0 holds the features, whose pictures do not change
    layer.forEach((values, j) => {
      const unit = state.units[l] && state.units[l][j];
      if (!unit) return;
      const largest = Math.max(1, ...values.map(Math.abs));
      drawPicture(unit.querySelector("canvas"), values, frame.unit_resolution,
                  (v) => v / largest);
      if (l > 0) unit.title = `layer ${l}, neuron ${j + 1}: bias ${frame.biases[l - 1][j].toFixed(3)}`;
    });
  });
  const output = state.units[state.units.length - 1][0];
  drawPicture(output.querySelector("canvas"), frame.boundary, frame.resolution, (p) => 2 * p - 1);
  frame.weights.forEach((matrix, l) => {
    matrix.forEach((row, j) => {
      row.forEach((weight, i) => {
        const line = state.links[l] && state.links[l][j] && state.links[l][j][i];
        if (!line) return;
        line.setAttribute("stroke", `rgb(${colour(weight > 0 ? 1 : -1).join(",")})`);
        line.setAttribute("stroke-width", String(Math.min(8, 0.3 + 1.5 * Math.abs(weight))));
        line.firstChild.textContent = `weight ${weight.toFixed(3)}`;
      });
    });
  });
}

wireControls();
connect();
window.addEventListener("resize", () => { if (state.units) buildLinks(); });
