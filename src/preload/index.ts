import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createBridge } from './bridge';

contextBridge.exposeInMainWorld('snoopscope', createBridge(ipcRenderer, webUtils));
