// The playground page: controls that send settings to the server, and the drawing of the
// frames it sends back.  The network and its training live in Python (scratchnn's NumPy
// engine); this page only draws.  Its words come from words.json, in the language of
// ?lang= (else the browser's, else English).
"use strict";

const FEATURES = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"];
const SETTINGS = ["learning_rate", "activation", "optimizer", "l2", "dropout", "dataset",
                  "train_ratio", "noise", "batch_size", "shuffle"];
const NUMBERS = new Set(["learning_rate", "l2", "dropout", "train_ratio", "noise",
                         "batch_size"]);
const state = { socket: null, session: null, config: null, points: null, losses: [],
                frame: null, waiting: [], words: {} };
const $ = (id) => document.getElementById(id);

// -- words ----------------------------------------------------------------------------------
function language(table) {
  const asked = new URLSearchParams(location.search).get("lang");
  if (asked && asked in table) return asked;
  const browser = (navigator.language || "en").slice(0, 2);
  return browser in table ? browser : "en";
}

// The words `key`, with `values` filled in for their {names}.
function word(key, values = {}) {
  const text = state.words[key] ?? key;
  return typeset(text.replace(/\{(\w+)\}/g,
                              (whole, name) => (name in values ? values[name] : whole)));
}

// The space French puts before a colon or a percent sign made one that never breaks a line.
function typeset(text) {
  return text.replace(/ ([:;%?!])/g, "\u00a0$1");
}

async function loadWords() {
  const table = await (await fetch("/static/words.json")).json();
  state.lang = language(table);
  state.words = table[state.lang];
  document.documentElement.lang = state.lang;
  for (const element of document.querySelectorAll("[data-word]")) {
    element.textContent = word(element.dataset.word);
  }
  for (const element of document.querySelectorAll("[data-word-title]")) {
    element.title = word(element.dataset.wordTitle);
  }
}

// -- talking to the server ------------------------------------------------------------------
function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  // The token of the page's address, if it has one (else the cookie the server set), and
  // the page's language, for the code and the messages the server writes.
  const query = new URLSearchParams(location.search);
  query.set("lang", state.lang);
  state.socket = new WebSocket(`${scheme}://${location.host}/ws?${query}`);
  state.socket.onmessage = (event) => receive(JSON.parse(event.data));
  state.socket.onopen = () => {  // what the page asked for while it connected
    for (const message of state.waiting.splice(0)) state.socket.send(message);
  };
  state.socket.onclose = () => showError(word("closed"));
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
  } else if (message.type === "confirm") {
    // A change that would throw away the model the playground opened: only if the user says.
    if (window.confirm(typeset(message.message))) {
      send({ type: "config", config: message.config, discard: true });
    } else {
      showConfig();
    }
  } else if (message.type === "error") {
    showError(message.message);
    showConfig();  // the controls go back to what the server kept
  }
}

function showError(text) {
  $("error").textContent = typeset(text);
  $("error").hidden = false;
}

function hideError() {
  $("error").hidden = true;
}

// -- controls -------------------------------------------------------------------------------
function showConfig() {
  for (const name of SETTINGS) {
    const element = $(name);
    if (element.type === "checkbox") {
      element.checked = state.config[name];
    } else {
      element.value = String(state.config[name]);
    }
    const label = $(`${name}_value`);
    if (label) label.textContent = element.value;
  }
  $("layer-count").textContent = counted("hidden_layers", state.config.hidden.length);
}

// "1 neuron", "3 neurons": the words `key` for `n` things.
function counted(key, n) {
  return n === 1 ? word(`${key}_1`) : word(key, { n });
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
      const value = element.type === "checkbox" ? element.checked
        : NUMBERS.has(name) ? Number(element.value) : element.value;
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
  inputs.innerHTML = `<div class="title">${word("features")}</div>`;
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
    column.innerHTML = `<div class="title">${counted("neurons", size)}<br>
      <span class="buttons"><button data-testid="add-neuron-${layer}">+</button>
      <button data-testid="remove-neuron-${layer}">&minus;</button></span></div>`;
    const [more, fewer] = column.querySelectorAll("button");
    more.onclick = () => changeNeurons(layer, 1);
    fewer.onclick = () => changeNeurons(layer, -1);
    const units = [];
    for (let j = 0; j < size; j += 1) {
      const unit = unitElement(word("unit", { layer: layer + 1, neuron: j + 1 }));
      column.appendChild(unit);
      units.push(unit);
    }
    state.units.push(units);
    columns.appendChild(column);
  });
  const output = document.createElement("div");
  output.className = "column";
  output.innerHTML = `<div class="title">${word("output")}</div>`;
  const outputUnit = unitElement(word("output"));
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
  const count = state.points.train.length + state.points.test.length;
  const radius = count < 20 ? 8 : 3.5;  // a truth table's few points: big enough to see
  for (const [set, rim] of [["train", "#fff"], ["test", "#000"]]) {
    for (const [x, y, label] of state.points[set]) {
      const [px, py] = place(x, y);
      context.beginPath();
      context.arc(px, py, radius, 0, 2 * Math.PI);
      context.fillStyle = `rgb(${colour(label ? 1 : -1).join(",")})`;
      context.fill();
      context.strokeStyle = rim;
      context.lineWidth = 1;
      context.stroke();
    }
  }
}

// Round steps of 1, 2 or 5 times a power of ten from 0 to `high`: about `count` of them.
function ticks(high, count) {
  const rough = high / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough);
  const values = [];
  for (let value = 0; value <= high * (1 + 1e-9); value += step) values.push(value);
  return { values, step };
}

function svgElement(name, attributes, text) {
  const element = document.createElementNS("http://www.w3.org/2000/svg", name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (text !== undefined) element.textContent = text;
  return element;
}

// The loss curves: epoch on x, loss on y, each axis with its ticks and its name; training
// and test in the two colours of the legend above.
function drawLosses() {
  const svg = $("loss-curve");
  const [width, height, left, right, top, bottom] = [300, 150, 54, 10, 8, 32];
  svg.replaceChildren();
  const last = Math.max(1, ...state.losses.map(([epoch]) => epoch));
  const finite = state.losses.flatMap(([, train, test]) => [train, test])
    .filter(Number.isFinite);
  const highest = Math.max(1e-9, ...finite);
  const xTicks = ticks(last, 4), yTicks = ticks(highest, 3);
  const xEnd = xTicks.values[xTicks.values.length - 1] || 1;
  const yEnd = Math.max(highest, yTicks.values[yTicks.values.length - 1]);
  const x = (epoch) => left + (epoch / Math.max(last, xEnd)) * (width - left - right);
  const y = (loss) => height - bottom - (loss / yEnd) * (height - top - bottom);
  svg.append(svgElement("line", { class: "axis", x1: left, y1: top, x2: left,
                                  y2: height - bottom }),
             svgElement("line", { class: "axis", x1: left, y1: height - bottom,
                                  x2: width - right, y2: height - bottom }));
  for (const value of xTicks.values) {
    svg.append(svgElement("line", { class: "tick", x1: x(value), y1: height - bottom,
                                    x2: x(value), y2: height - bottom + 4 }),
               svgElement("text", { class: "tick-label x", x: x(value),
                                    y: height - bottom + 14 }, String(value)));
  }
  const decimals = Math.max(0, -Math.floor(Math.log10(yTicks.step)));
  for (const value of yTicks.values) {
    svg.append(svgElement("line", { class: "tick", x1: left - 4, y1: y(value), x2: left,
                                    y2: y(value) }),
               svgElement("text", { class: "tick-label y", x: left - 6, y: y(value) + 3 },
                          value.toFixed(decimals)));
  }
  svg.append(svgElement("text", { class: "axis-name x", x: (left + width - right) / 2,
                                  y: height - 4 }, word("chart_epoch")),
             svgElement("text", { class: "axis-name y", x: 10, y: (top + height - bottom) / 2,
                                  transform: `rotate(-90 10 ${(top + height - bottom) / 2})` },
                        word("chart_loss")));
  for (const [index, name] of [[1, "train"], [2, "test"]]) {
    const points = state.losses.filter((entry) => Number.isFinite(entry[index]))
      .map((entry) => `${x(entry[0]).toFixed(1)},${y(entry[index]).toFixed(1)}`);
    svg.append(svgElement("polyline", { class: `curve ${name}`, points: points.join(" ") }));
  }
}

function showDiagnoses(diagnoses) {
  const list = $("diagnoses-list");
  list.replaceChildren(...diagnoses.map(({ code, text }) => {
    const item = document.createElement("li");
    item.dataset.code = code;
    item.textContent = typeset(text);
    return item;
  }));
  $("diagnoses").hidden = diagnoses.length === 0;
}

function drawFrame(frame) {
  state.frame = frame;
  $("epoch").textContent = String(frame.epoch);
  $("train-loss").textContent = frame.train_loss.toFixed(3);
  $("test-loss").textContent = frame.test_loss.toFixed(3);
  $("speed").textContent = frame.epochs_per_second
    ? word("epochs_per_second", { n: frame.epochs_per_second }) : "";
  for (const entry of frame.losses) {
    const previous = state.losses[state.losses.length - 1];
    if (previous && entry[0] <= previous[0]) state.losses = [];  // training started again
    state.losses.push(entry);
  }
  drawLosses();
  showDiagnoses(frame.diagnoses);
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
      unit.title = `${word("unit", { layer: l, neuron: j + 1 })}${word("colon")} ${word("bias")} `
        + frame.biases[l - 1][j].toFixed(3);
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
        line.firstChild.textContent = `${word("weight")} ${weight.toFixed(3)}`;
      });
    });
  });
}

wireControls();
loadWords().then(connect);
window.addEventListener("resize", () => { if (state.units) buildLinks(); });
