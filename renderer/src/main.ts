/** Renderer entry: connect to the engine (Electron preload or the WebSocket host) and mount the app. */
import { mount } from 'svelte';
import { connectDbwire } from '../../shared/api/connect';
import App from './App.svelte';
import './theme.css';

const target = document.getElementById('app')!;

connectDbwire().then(
  ({ api, shell }) => { mount(App, { target, props: { api, shell } }); },
  (e: unknown) => {
    const p = document.createElement('p');
    p.className = 'fatal';
    p.textContent = `Cannot reach the dbwire engine: ${e instanceof Error ? e.message : String(e)}`;
    target.append(p);
  },
);
