import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createActivity } from './app/activity';
import { App } from './app/App';
import { createDefaultClient } from './transport/client';

const container = document.getElementById('root');
if (!container) throw new Error('The page has no #root element.');

const activity = createActivity();
const client = createDefaultClient(activity);

createRoot(container).render(
  <StrictMode>
    <App client={client} activity={activity} />
  </StrictMode>,
);
